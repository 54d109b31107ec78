"""In a real Chromium: a planner opens the funnel, narrows it by exhibition without a page reload
(HTMX; the URL follows) and follows a drill-down to the engagements behind a number."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from expo.hooks import db_session, models
from expo.testing import log_in, new_client, new_engagement, new_exhibition, new_scenario, walk

pytestmark = pytest.mark.plugins("funnel")


def test_a_planner_filters_the_funnel_in_place_and_drills_down(page, live_app):
    with live_app.app_context():
        planner = db_session().scalar(select(models.User).where(models.User.email == "p@firm.ru"))
        scenario = new_scenario(planner)
        big, small = new_exhibition(planner, name="Иннопром"), new_exhibition(planner, name="Металлообработка")
        for i, (show, path) in enumerate([(big, ("no",)), (big, ("interested", "no")), (big, ("interested",)),
                                          (small, ("no",))]):
            client = new_client(planner, name=f"ООО «Клиент {i}»")
            walk(new_engagement(planner, client, show, scenario_id=scenario.id), planner, *path)
        small_id = small.id
    log_in(page)
    page.goto("/funnel/")
    entered = page.locator("#step-contact td.num").first
    assert entered.inner_text().strip() == "4"
    assert page.locator("svg.funnel-chart g.bar").count() == 3
    assert "Вошло" in page.locator("#steps-table").inner_text()  # the Russian interface

    page.evaluate("document.body.dataset.marker = 'same page'")
    page.select_option("#funnel-filters select[name=exhibition_id]", str(small_id))
    expect(page.locator("#step-contact td.num").first).to_have_text("1")
    assert page.evaluate("document.body.dataset.marker") == "same page"  # swapped in place, no reload
    assert f"exhibition_id={small_id}" in page.url  # the filters are in the URL

    page.locator("#step-contact a[href*='kind=dropped']").click()  # "dropped at contact" → those engagements
    page.wait_for_url("**/funnel/engagements?**")
    rows = page.locator("#drilldown-table tbody tr")
    assert rows.count() == 1 and "ООО «Клиент 3»" in rows.first.inner_text()
    rows.first.locator("a").click()
    page.wait_for_url("**/engagements/*")
    assert "ООО «Клиент 3»" in page.content()
