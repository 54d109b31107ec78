"""The client pages in a real browser: HTMX search-as-you-type, inline forms, CSRF on HTMX posts."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from expo.core import db
from expo.core.models import Contact, User
from expo.testing import log_in, screenshot
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
    expect(page.locator("#client-table tbody tr")).to_have_count(2)
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


def test_the_client_list_pages_by_number_with_one_line_rows(page, live_app):
    """Numbered pages and the total, rows kept to one line (a long name is cut, not wrapped)."""
    _clients(live_app, "ООО «" + "Очень длинное название торгового дома " * 3 + "»",
             *[f"ООО «Клиент {i:02d}»" for i in range(60)])
    log_in(page)
    page.goto("/clients/")
    assert "Найдено клиентов: 61" in page.inner_text("#client-total")
    assert "Страница 1 из 2" in page.inner_text("nav.pager")
    first = page.locator("#client-table tbody tr").first
    heights = page.evaluate("[...document.querySelectorAll('#client-table tbody tr')].map(r => r.offsetHeight)")
    assert max(heights) == min(heights)  # the long name did not wrap its row onto a second line
    assert first.locator("td").first.evaluate("td => getComputedStyle(td).whiteSpace") == "nowrap"
    screenshot(page, "client-list")
    page.click("nav.pager a:text-is('2')")
    expect(page.locator("nav.pager")).to_contain_text("Страница 2 из 2")
    assert page.locator("#client-table tbody tr").count() == 11


def test_the_client_list_shows_where_the_work_stands_and_admins_edit_the_pick_lists(page, live_app):
    """Current step, last contact and next task per row; an admin adds a region, the form offers it."""
    from expo.core.services import activities
    from expo.core.services.users import hash_password
    from expo.testing import new_engagement, new_exhibition, new_scenario
    from expo.testing.fixtures import PASSWORD

    with live_app.app_context():
        planner = db.session().scalar(select(User))
        new_scenario(planner)
        busy = new_client(planner, name="ООО «Занятой»", region="Казань")
        new_client(planner, name="ООО «Тихий»")
        new_engagement(planner, busy, new_exhibition(planner))
        activities.log_activity(busy, {"kind": "call", "text": "Позвонили"}, planner)
        db.session().add(User(email="a@firm.ru", name="Анна Админова", role="admin",
                              password_hash=hash_password(PASSWORD), active=True))
        db.commit()
    log_in(page)
    page.goto("/clients/")
    row = page.locator("#client-table tbody tr", has_text="ООО «Занятой»")
    expect(row.locator("td.work-step")).to_have_text("Establish contact")
    expect(row.locator("td.work-task")).to_contain_text("Call the client")
    assert row.locator("td.work-contact").inner_text().strip() not in ("", "—")
    assert row.locator("td.work-task").evaluate("td => getComputedStyle(td).textOverflow") == "ellipsis"
    expect(page.locator("#client-table tbody tr", has_text="ООО «Тихий»").locator("td.work-step")).to_have_text("—")
    screenshot(page, "client-list-work")

    page.context.clear_cookies()
    log_in(page, "a@firm.ru")
    page.goto("/admin/pick-lists")
    section = page.locator("#pick-region")
    section.locator("input[name=value]").fill("Казань")
    section.locator("button[type=submit]:text-is('Добавить')").click()
    expect(page.locator("#pick-region table")).to_contain_text("Казань")
    page.locator("#pick-region input[name=value]").fill("Москва")
    page.locator("#pick-region button[type=submit]:text-is('Добавить')").click()
    expect(page.locator("#pick-region table")).to_contain_text("Москва")
    screenshot(page, "pick-lists")
    page.goto("/clients/new")
    options = page.locator("select[name=region] option").all_inner_texts()
    assert options == ["—", "Казань", "Москва"]
    expect(page.locator("input[name=channel]")).to_be_visible()  # no list for channels: free text
