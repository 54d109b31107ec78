"""Expo on a phone (390×844): a folded menu in a short header, lists as cards, no sideways scrolling,
phones and e-mails as links; and the desktop header in one screen width."""
from __future__ import annotations

from sqlalchemy import select

from expo.core import db
from expo.core.i18n import tel_href
from expo.core.models import User
from expo.core.services.users import hash_password
from expo.testing import (DESKTOP, PASSWORD, PHONE, axe, describe_violations, log_in, new_client, new_contact,
                          new_engagement, new_exhibition, new_scenario, screenshot)

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _client_with_engagement(live_app):
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        scenario = new_scenario(planner)
        for n in range(3):
            new_client(planner, name=f"ООО «Северные металлоконструкции и комплектация-{n}»", manager_id=planner.id,
                       region="Свердловская область", industry="Металлообработка")
        client = new_client(planner, name="ООО «Телефон»", manager_id=planner.id, phone="+7 (495) 123-45-67",
                            email="office@phone.ru")
        new_contact(planner, client, phone="+7 916 000-11-22, доб. 5", email="anna@phone.ru")
        engagement = new_engagement(planner, client, new_exhibition(planner), scenario_id=scenario.id)
        return client.id, engagement.id


def test_a_phone_number_becomes_a_dialable_link():
    assert tel_href("+7 (495) 123-45-67") == "tel:+74951234567"
    assert tel_href("8 916 000-11-22, доб. 5") == "tel:89160001122"


def test_the_day_on_a_phone(page, live_app):
    client_id, engagement_id = _client_with_engagement(live_app)
    page.set_viewport_size(PHONE)
    log_in(page)
    header = page.locator("header.topbar")
    assert header.bounding_box()["height"] <= 60
    assert not page.locator("header nav").is_visible()
    page.click("label.menu-button")  # no JavaScript involved: a checkbox's label
    page.locator("header nav a[href='/clients/']").wait_for(state="visible")
    violations = axe(page)  # the open menu on a phone, too
    assert not violations, describe_violations(violations)
    screenshot(page, "phone-menu")
    page.set_viewport_size(PHONE)
    page.click("header nav a[href='/clients/']")
    page.wait_for_url("**/clients/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    page.click("text=ООО «Телефон»")
    page.wait_for_url(f"**/clients/{client_id}")
    assert page.locator("a[href='tel:+74951234567']").is_visible()
    assert page.locator("a[href='tel:+79160001122']").count() == 1
    assert page.locator("a[href='mailto:anna@phone.ru']").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    page.goto(f"/engagements/{engagement_id}")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")


def test_an_admins_header_fits_a_desktop_in_one_line(page, live_app):
    with live_app.app_context():
        db.session().add(User(email="a@firm.ru", name="Анна Админова", role="admin",
                              password_hash=hash_password(PASSWORD), active=True))
        db.commit()
    log_in(page, "a@firm.ru")
    assert page.viewport_size == DESKTOP
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.documentElement.scrollWidth")
    assert page.locator("header.topbar").bounding_box()["height"] <= 60
    assert not page.locator("label.menu-button").is_visible()
    page.click("header details.more:has(a[href='/admin/users']) summary")
    page.click("header details.more a[href='/admin/users']")
    page.wait_for_url("**/admin/users")
