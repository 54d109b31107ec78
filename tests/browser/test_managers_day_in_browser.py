"""A manager's day in a real browser, on a desktop and on a phone (issue 14's walk): the home page →
today's tasks → complete one inline → open its engagement → log a call → choose a closing outcome,
confirm it with a comment and the contract amount — and axe-core finds nothing serious on the way."""
from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import Activity, Engagement, ScenarioResult, StepLog, Task, User
from expo.testing import DESKTOP, PHONE, axe, describe_violations, log_in
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


def _day(live_app) -> int:
    """An engagement of the planner's on the design example, a step before the contract, with
    one task due today."""
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        scenario = new_scenario(planner)
        engagement = new_engagement(planner, new_client(planner, name="ООО «Северный ветер»", manager_id=planner.id),
                                    new_exhibition(planner, name="Иннопром-2026"), scenario_id=scenario.id)
        for result in db.session().scalars(select(ScenarioResult).where(ScenarioResult.key == "contract")):
            result.requires_amount = True
        db.session().query(Task).delete()  # just the one below, so the counts are known
        db.session().add(Task(assignee_id=planner.id, client_id=engagement.client_id, engagement_id=engagement.id,
                              title="Перезвонить директору", due_on=clock.today()))
        db.commit()
        return engagement.id


def _no_serious_violations(page):
    found = axe(page)
    assert not found, describe_violations(found)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_managers_day(page, live_app, size):
    engagement_id = _day(live_app)
    page.set_viewport_size(size)
    log_in(page)
    # home: today's tile says one task and links to the group
    assert page.inner_text("#tile-today strong") == "1"
    _no_serious_violations(page)
    page.click("#tile-today")
    page.wait_for_url("**/tasks?group=today")
    line = "li:has-text('Перезвонить директору')"
    page.wait_for_selector(line)
    _no_serious_violations(page)
    page.click(f"{line} button")  # complete it inline
    page.wait_for_selector("li.task-done:has-text('Перезвонить директору')")
    expect(page.locator("#count-today")).to_have_text("0")
    if size is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # open the engagement and log a call
    page.goto(f"/engagements/{engagement_id}")
    page.select_option("#activity-form select[name=kind]", "call")
    page.fill("#activity-form textarea[name=text]", "Договорились о встрече на стенде")
    page.click("#activity-form button[type=submit]")
    expect(page.locator("#activity-form textarea[name=text]")).to_have_value("")
    _no_serious_violations(page)
    # walk to the contract; the closing outcome asks first, with a comment and the amount
    for button, next_title in (("Interested", "Presentation"), ("Wants an offer", "Commercial offer")):
        page.click(f"#outcomes button:has-text('{button}')")
        page.wait_for_selector(f"#current-step h2:has-text('{next_title}')")
    page.click("#outcomes a:has-text('Signed')")
    dialog = page.locator("#outcome-dialog [role=dialog]")
    dialog.wait_for()
    _no_serious_violations(page)
    dialog.locator("textarea[name=comment]").fill("Подписали на выставке")
    dialog.locator("input[name=contract_amount]").fill("1 200 000,50")
    dialog.locator("#confirm-outcome").click()
    page.wait_for_selector("#current-step h2:has-text('Contract signed')")
    assert "Подписали на выставке" in page.inner_text("#step-history")
    if size is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    with live_app.app_context():
        session = db.session()
        engagement = session.get(Engagement, engagement_id)
        assert (engagement.state, engagement.contract_amount) == ("won", Decimal("1200000.50"))
        assert session.scalar(select(Task.done_at).where(Task.title == "Перезвонить директору")) is not None
        assert session.scalar(select(Activity.kind).where(Activity.text == "Договорились о встрече на стенде")) == "call"
        assert session.scalar(select(StepLog.comment).where(StepLog.engagement_id == engagement_id,
                                                            StepLog.closing)) == "Подписали на выставке"
