"""My tasks and the start page in a real browser (issue 14 item 6): from the home tile to the group,
complete a task inline, see its counter drop, undo it and see the counter come back."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import Task, User
from expo.testing import log_in, new_client, new_engagement, new_exhibition, screenshot


def _tasks(live_app):
    """The planner's day: two overdue tasks of one engagement, one for today, one next week."""
    with live_app.app_context():
        planner = db.session().scalar(select(User))
        today = clock.today()
        engagement = new_engagement(planner, new_client(planner, name="ООО «Ромашка»", manager_id=planner.id),
                                    new_exhibition(planner, name="Мебель-2026"))
        other = new_engagement(planner, new_client(planner, name="АО «Вектор»", manager_id=planner.id),
                               new_exhibition(planner, name="Стройка-2026"))
        db.session().query(Task).delete()  # just these four, so the counts are known
        for title, due, on in (("Позвонить директору", today - timedelta(days=2), engagement),
                               ("Отправить предложение", today - timedelta(days=1), engagement),
                               ("Согласовать стенд", today, other),
                               ("Подготовить договор", today + timedelta(days=10), other)):
            db.session().add(Task(assignee_id=planner.id, client_id=on.client_id, engagement_id=on.id,
                                  title=title, due_on=due))
        db.commit()


def test_complete_a_task_inline_see_the_counter_drop_and_undo(page, live_app):
    _tasks(live_app)
    log_in(page)
    assert page.inner_text("#tile-overdue strong") == "2" and page.inner_text("#tile-today strong") == "1"
    assert "Позвонить директору" in page.inner_text("#tile-overdue")
    screenshot(page, "home")
    page.click("#tile-overdue")
    page.wait_for_url("**/tasks?group=overdue")
    page.click("text=Все задачи")
    page.wait_for_selector("#tasks-overdue")
    assert page.inner_text("#count-overdue") == "2"
    line = "#tasks-overdue li:has-text('Позвонить директору')"
    assert "Мебель-2026" in page.inner_text(line) and "ООО «Ромашка»" in page.inner_text(line)
    screenshot(page, "my-tasks")
    page.click(f"{line} button")
    page.wait_for_selector("#tasks-overdue li.task-done:has-text('Позвонить директору')")
    expect(page.locator("#count-overdue")).to_have_text("1")
    with live_app.app_context():
        assert db.session().scalar(select(Task.done_at).where(Task.title == "Позвонить директору")) is not None
    page.click("#tasks-overdue li.task-done button")
    page.wait_for_selector(f"{line} form[action$='/complete']")
    expect(page.locator("#count-overdue")).to_have_text("2")
    with live_app.app_context():
        assert db.session().scalar(select(Task.done_at).where(Task.title == "Позвонить директору")) is None


def test_without_javascript_the_undo_is_a_flash_button(browser, live_server, live_app):
    _tasks(live_app)
    context = browser.new_context(base_url=live_server, locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page)
        page.goto("/tasks")
        page.click("#tasks-today li:has-text('Согласовать стенд') button")
        page.wait_for_selector(".task-flash")
        assert page.inner_text("#count-today") == "0"
        page.click(".task-flash button")
        page.wait_for_selector("#tasks-today li:has-text('Согласовать стенд')")
        assert page.inner_text("#count-today") == "1"
    finally:
        context.close()
