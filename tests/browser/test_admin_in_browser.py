"""Administration in a real browser (Russian): create a user, grant a right, then find it in the audit trail."""
from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from expo.core import db
from expo.core.models import User
from expo.core.services.users import authenticate, hash_password
from expo.testing import PASSWORD, log_in, screenshot


def _admin(live_app):
    with live_app.app_context():
        db.session().add(User(email="a@firm.ru", name="Анна Админова", role="admin",
                              password_hash=hash_password(PASSWORD), active=True))
        db.commit()


def test_an_admin_creates_a_user_and_filters_the_audit(page, live_app):
    _admin(live_app)
    log_in(page, "a@firm.ru")
    page.goto("/admin/users")
    form = page.locator("#user-form")
    form.locator("input[name=name]").fill("Ольга Продажина")
    form.locator("input[name=email]").fill("olga@firm.ru")
    form.locator("select[name=role]").select_option("manager")
    form.locator("input[name=password]").fill("abc")  # too short: refused, in place, in Russian
    form.locator("input[name=permissions][value='clients.export']").check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#user-form .error")
    assert "символ" in page.inner_text("#user-form").lower()
    assert "Экспорт клиентской базы" in page.inner_text("#user-form")  # a right by its label, not its key
    form = page.locator("#user-form")
    form.locator("input[name=generate]").check()
    form.locator("button[type=submit]").click()
    password = page.inner_text("#one-time-password").strip()
    with live_app.app_context():
        assert authenticate("olga@firm.ru", password) is not None
    page.goto("/admin/users")
    row = page.locator("#users tr:has-text('Ольга Продажина')")
    assert "клиент-менеджер" in row.inner_text() and "Экспорт клиентской базы" in row.inner_text()
    assert "clients.export" not in page.inner_text("#users")
    screenshot(page, "admin-users")

    page.goto("/admin/audit")
    page.locator("#audit-filter select[name=action]").select_option("grant")
    page.locator("#audit-filter button[type=submit]").click()
    page.wait_for_url("**/admin/audit?*action=grant*")
    rows = page.locator("#audit tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "выдача права" in text and "Анна Админова" in text and "Ольга Продажина" in text
    assert "clients.export" not in text
    with live_app.app_context():
        olga = db.session().scalar(select(User).where(User.email == "olga@firm.ru"))
    page.locator("#audit-filter select[name=user_id]").select_option(str(olga.id))  # she did nothing yet
    page.locator("#audit-filter button[type=submit]").click()
    page.wait_for_selector("#audit tbody tr td.muted")
    page.locator("#audit-filter select[name=user_id]").select_option("")
    page.locator("#audit-filter select[name=action]").select_option("")
    page.locator("#audit-filter button[type=submit]").click()
    expect(page.locator("#audit tbody tr").nth(1)).to_be_attached()
    screenshot(page, "audit-log")
