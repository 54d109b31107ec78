"""The exhibition board in Chromium, after a second version of the standard scenario: one set of
step columns that fits a 1366 px screen, and the results row."""
from __future__ import annotations

from sqlalchemy import select

from expo.core import db
from expo.core.models import Engagement, User
from expo.core.scenarios.store import publish, save_scenario, to_definition
from expo.testing import log_in, new_client, new_engagement, new_exhibition, screenshot, walk

# outcome keys of the standard scenario that bring an engagement to each step, and to each kind of result
TO_STEP = {"contact": (), "materials": ("interested",), "presentation": ("interested", "received"),
           "offer": ("interested", "received", "wants_offer")}
TO_RESULT = {"won": ("interested", "received", "wants_offer", "signed"), "lost": ("refused_timing",),
             "declined": ("declined",)}


def _board(live_app) -> int:
    """An exhibition with engagements at every step and result, on two versions of the standard scenario."""
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        show = new_exhibition(planner, name="Строительная неделя 2026")
        n = 0

        def engage(*outcomes, amount="450000"):
            nonlocal n
            n += 1
            client = new_client(planner, name=f"ООО «Северные металлоконструкции и комплектация-{n}»",
                                manager_id=planner.id)
            return walk(new_engagement(planner, client, show, expected_amount=amount), planner, *outcomes,
                        contract_amount="1250000" if outcomes == TO_RESULT["won"] else None)

        for outcomes in (*TO_STEP.values(), *TO_RESULT.values()):
            engage(*outcomes)
        first = db.session().scalar(select(Engagement).where(Engagement.state == "won")).scenario
        definition = to_definition(first)
        definition["steps"][1]["title"] = "Материалы отправлены и получены"
        second = save_scenario(definition, planner, first)
        publish(second, planner)  # a new version is a draft: drafts are not offered to new engagements
        db.commit()
        for outcomes in (*TO_STEP.values(), *TO_STEP.values(), TO_RESULT["lost"]):
            engage(*outcomes, amount="1200000")
        assert db.session().scalar(select(Engagement.scenario_id).order_by(Engagement.id.desc()).limit(1)) == second.id
        return show.id


def test_the_board_after_a_second_scenario_version_fits_the_screen(page, live_app):
    show_id = _board(live_app)
    log_in(page)
    page.goto(f"/exhibitions/{show_id}")
    columns = page.locator(".board section.column h2")
    assert columns.count() == 4  # one per step, though two versions are in use
    assert columns.nth(1).inner_text().startswith("Материалы отправлены и получены")  # the newest title
    assert columns.nth(0).locator("small").inner_text() == "3"  # one on the first version, two on the second
    sums = page.locator(".board .column-sum").all_inner_texts()
    assert sums[0].replace("\xa0", " ").replace("\u202f", " ") == "Σ 2 850 000,00 ₽"
    counts = {kind: page.locator(f"#board-results .result-{kind} b").inner_text() for kind in TO_RESULT}
    assert counts == {"won": "1", "lost": "2", "declined": "1"}
    assert "Договор подписан: 1" in page.locator("#board-results .result-won").inner_text()
    width = page.evaluate("() => { const board = document.querySelector('.board');"
                          " return {board: board.scrollWidth, box: board.clientWidth,"
                          " right: board.getBoundingClientRect().right}; }")
    # the board needs no sideways scroll: its columns fit its box, and the box the screen
    assert width["board"] <= width["box"] and width["right"] <= 1366 and width["board"] <= 1366, width
    screenshot(page, "exhibition-board")
    page.click("#board-results .result-won a")
    page.wait_for_url("**/engagements?state=won*")
    assert page.locator("#engagement-table tbody tr").count() == 1
