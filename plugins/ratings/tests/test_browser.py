"""In a real Chromium: a planner sets a personal rating on the client card (HTMX, CSRF) and the
client moves up the list ranked by rating."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from expo.hooks import SYSTEM, commit, db_session, models
from expo.testing import log_in, new_client
from expo_ratings import services


def _ranked_names(page) -> list[str]:
    page.goto("/clients/?sort=-rating")
    return page.locator("#client-table tbody td:first-child a").all_inner_texts()


def test_a_planner_rates_a_client_on_the_card_and_it_moves_up_the_list(page, live_app):
    with live_app.app_context():
        planner = db_session().scalar(select(models.User).where(models.User.email == "p@firm.ru"))
        ahead = new_client(planner, name="ООО «Альфа»")
        behind = new_client(planner, name="ООО «Бета»")
        services.set_personal(ahead, {"value": 5}, SYSTEM)
        commit()
    log_in(page)
    assert _ranked_names(page) == ["ООО «Альфа»", "ООО «Бета»"]

    page.goto(f"/clients/{behind.id}")
    panel = page.locator("#panel-ratings")
    panel.locator("input[name=value]").wait_for()  # the panel came in by HTMX
    page.evaluate("document.body.dataset.marker = 'same page'")
    panel.locator("input[name=value]").fill("20")
    panel.locator("button[type=submit]").click()
    expect(page.locator("#ratings-total")).to_have_text("20")  # (a string predicate would need eval: CSP)
    page.wait_for_load_state("networkidle")  # the panels' refresh the save triggered (expo:changed) is done
    assert page.evaluate("document.body.dataset.marker") == "same page"  # swapped in place, no reload
    assert "Личный рейтинг" in panel.inner_text()  # the Russian interface

    panel.locator("input[name=value]").fill("500")  # out of range: the message shows in the panel
    panel.locator("button[type=submit]").click()
    panel.locator(".error").wait_for()
    assert "-100" in panel.locator(".error").inner_text()

    assert _ranked_names(page) == ["ООО «Бета»", "ООО «Альфа»"]
