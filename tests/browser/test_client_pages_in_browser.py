"""The client pages in a real browser: HTMX search-as-you-type, inline forms, CSRF on HTMX posts."""
from __future__ import annotations

from sqlalchemy import select

from expo.core import db
from expo.core.models import Contact, User
from expo.testing import log_in
from expo.testing import new_client


def _clients(live_app, *names):
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        return [new_client(planner, name=name) for name in names]


def test_search_as_you_type_swaps_only_the_results(page, live_app):
    _clients(live_app, "ООО «Северная Звезда»", "АО «Южный Ветер»", "ИП «Северов»")
    log_in(page)
    page.goto("/clients/")
    assert page.evaluate("typeof window.htmx") == "object"  # served by the app itself
    page.evaluate("document.body.dataset.marker = 'same page'")
    page.fill("#q", "север")
    page.wait_for_url("**/clients/?q=*")
    page.wait_for_function("document.querySelectorAll('#client-table tbody tr').length === 2")
    names = page.locator("#client-table tbody td:first-child a").all_inner_texts()
    assert sorted(names) == ["ИП «Северов»", "ООО «Северная Звезда»"]
    assert page.evaluate("document.body.dataset.marker") == "same page"  # no full reload
    assert "Найдено клиентов: 2" in page.inner_text("#client-total")


def test_a_contact_is_added_inline_and_errors_show_in_place(page, live_app):
    (client,) = _clients(live_app, "ООО «Контакт»")
    log_in(page)
    page.goto(f"/clients/{client.id}")
    page.click("#contacts-section summary")
    form = page.locator("#contacts-section form").last
    form.locator("input[name=name]").fill("Ирина Белова")
    form.locator("input[name=email]").fill("not-an-address")
    # bypass the browser's own type=email check to see the server's message
    page.evaluate("document.querySelector('#contacts-section input[name=email]').type = 'text'")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#contacts-section .error")
    assert "адрес" in page.inner_text("#contacts-section .error").lower()
    form = page.locator("#contacts-section form").last
    form.locator("input[name=email]").fill("irina@firm.ru")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#contacts-section li:has-text('Ирина Белова')")
    with live_app.app_context():
        assert db.session().scalars(select(Contact.email)).all() == ["irina@firm.ru"]
