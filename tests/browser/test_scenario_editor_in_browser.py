"""A planner makes a mistake in the scenario editor, sees it next to the field, fixes it, saves a
draft of the next version and publishes it."""
from __future__ import annotations

import re

from sqlalchemy import select

from expo.core import db
from expo.core.models import Scenario, User
from expo.testing import log_in, new_client, new_engagement, new_exhibition, screenshot


def test_an_error_shows_next_to_its_field_and_the_fixed_scenario_saves(page, live_app):
    log_in(page)
    page.goto("/scenarios/new?template=exhibition")
    step = page.locator("details#step-2")
    assert step.get_attribute("open") is None  # steps start collapsed
    step.locator("summary").click()
    title = page.locator("input[name=steps-2-outcomes-0-title]")
    title.fill("")
    page.click("button[name=op][value=save]")
    message = page.locator("#error-steps-2-outcomes-0-title")
    message.wait_for()
    assert "Шаг «Презентация» → исход 1: название — обязательно" == message.inner_text()
    assert title.get_attribute("aria-invalid") == "true"
    assert title.get_attribute("aria-describedby") == "error-steps-2-outcomes-0-title"
    assert page.locator("details#step-2").get_attribute("open") is not None  # the step with the error opened
    # the summary at the top links to the field
    link = page.locator("#problems a[href='#field-steps-2-outcomes-0-title']")
    assert link.inner_text() == message.inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    title.scroll_into_view_if_needed()
    screenshot(page, "scenario-editor-error")
    with live_app.app_context():
        assert db.session().scalar(select(Scenario)) is None
    page.locator("input[name=steps-2-outcomes-0-title]").fill("Хочет предложение")
    page.click("button[name=op][value=save]")
    page.wait_for_url(re.compile(r"/scenarios/[0-9]+$"))
    with live_app.app_context():
        scenario = db.session().scalar(select(Scenario))
        assert scenario.step("presentation").outcomes[0].title == "Хочет предложение"
        # an engagement uses it now: the next save is a draft that new engagements do not get
        planner = db.session().scalar(select(User).where(User.email == "p@firm.ru"))
        new_engagement(planner, new_client(planner), new_exhibition(planner), scenario_id=scenario.id)
        db.commit()
        first_id = scenario.id
    page.goto(f"/scenarios/{first_id}/edit")
    page.locator("details#step-1 summary").click()
    page.locator("input[name=steps-1-title]").fill("Показ стенда")
    page.click("button[name=op][value=save]")
    page.wait_for_url(re.compile(r"/scenarios/[0-9]+$"))
    assert page.locator("h1").inner_text().endswith("версия 2")
    assert page.locator("text=Черновик: новые участия").count() == 1
    page.click("button:has-text('Опубликовать')")
    page.wait_for_url(re.compile(r"/scenarios/[0-9]+$"))
    assert page.locator("button:has-text('Опубликовать')").count() == 0
    with live_app.app_context():
        published = db.session().scalar(select(Scenario).where(Scenario.version == 2))
        assert published.published_at is not None and published.is_current and published.is_default
