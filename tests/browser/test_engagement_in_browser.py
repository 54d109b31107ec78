"""Walk an engagement from its first step to a result in a real browser; complete a task inline."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from expo.core import db
from expo.core.models import Engagement, ScenarioResult, Task, User
from expo.testing import log_in, screenshot
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


def _engagement(live_app):
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        scenario = new_scenario(planner)
        return new_engagement(planner, new_client(planner, name="ООО «Путь»", manager_id=planner.id),
                              new_exhibition(planner), scenario_id=scenario.id).id


def test_walk_an_engagement_to_a_signed_contract(page, live_app):
    engagement_id = _engagement(live_app)
    with live_app.app_context():  # the signed contract needs its amount (asked in the closing dialog)
        for result in db.session().scalars(select(ScenarioResult).where(ScenarioResult.key == "contract")):
            result.requires_amount = True
        db.commit()
    log_in(page)
    page.goto(f"/engagements/{engagement_id}")
    for button, next_title in (("Interested", "Presentation"), ("Wants an offer", "Commercial offer")):
        page.click(f"#outcomes button:has-text('{button}')")
        page.wait_for_selector(f"#current-step h2:has-text('{next_title}')")
    # a closing outcome opens its confirmation inline, next to the outcomes, and writes nothing yet
    page.click("#outcomes a:has-text('Signed')")
    dialog = page.locator("#outcome-dialog [role=dialog]")
    dialog.wait_for()
    assert page.url.endswith(f"/engagements/{engagement_id}")  # swapped in, not a page of its own
    with live_app.app_context():
        assert db.session().get(Engagement, engagement_id).state == "open"
    dialog.locator("input[name=contract_amount]").fill("2 359 000,00")
    dialog.locator("textarea[name=comment]").fill("Подписали на стенде")
    screenshot(page, "closing-outcome")
    # a bad amount is answered inside the dialog (the comment kept), and still nothing is closed
    dialog.locator("input[name=contract_amount]").fill("-5")
    dialog.locator("#confirm-outcome").click()
    page.wait_for_selector("#outcome-dialog #error-contract_amount")
    assert dialog.locator("textarea[name=comment]").input_value() == "Подписали на стенде"
    with live_app.app_context():
        assert db.session().get(Engagement, engagement_id).state == "open"
    dialog.locator("input[name=contract_amount]").fill("2 359 000,00")
    dialog.locator("#confirm-outcome").click()
    page.wait_for_selector("#current-step h2:has-text('Contract signed')")
    assert page.locator("#step-history li").count() == 3
    assert "Подписали на стенде" in page.locator("#step-history").inner_text()
    with live_app.app_context():
        engagement = db.session().get(Engagement, engagement_id)
        assert (engagement.state, engagement.result, engagement.contract_amount) == ("won", "contract",
                                                                                     Decimal("2359000.00"))


def test_complete_a_task_inline(page, live_app):
    _engagement(live_app)
    log_in(page)
    page.goto("/tasks")
    page.wait_for_selector("ul.tasks li:has-text('Call the client')")
    page.click("ul.tasks li:has-text('Call the client') button")
    # the line turns into "Done · Undo" for a few seconds instead of vanishing at once
    page.wait_for_selector("ul.tasks li.task-done:has-text('Call the client')")
    with live_app.app_context():
        assert db.session().scalar(select(Task.done_at)) is not None
