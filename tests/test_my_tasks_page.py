"""My tasks as a manager judges it (issue 14 item 6): groups in the firm's day with counts, client and
exhibition on each line, keyset paging beyond 50, counters updated after an inline completion, undo,
and the start page's tiles leading to the filtered view."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from expo.core import db
from expo.core.models import Activity, AuditEvent, Task, User
from expo.testing import count_queries, new_client, new_engagement, new_exhibition


def _section(html: str, key: str) -> str:
    start = html.index(f'id="tasks-{key}"')
    end = html.find("</section>", start)
    return html[start:end]


def _count(html: str, key: str) -> int:
    return int(re.search(rf'id="count-{key}"[^>]*>(\d+)<', html).group(1))


def _setup(app, make_user, dues, title="Task"):
    """A manager with open tasks due on ``dues`` (dates) about one client's engagement at «Мебель-2026»."""
    manager, planner = make_user("manager"), make_user("planner")
    with app.app_context():
        p = db.session().get(User, planner.id)
        client = new_client(p, name="ООО «Ромашка»", manager_id=manager.id)
        engagement = new_engagement(p, client, new_exhibition(p, name="Мебель-2026"))
        # only the tasks this test names: the scenario's own ones would blur the counts
        db.session().query(Task).delete()
        for i, due in enumerate(dues):
            db.session().add(Task(assignee_id=manager.id, client_id=client.id, engagement_id=engagement.id,
                                  title=f"{title} {i}", due_on=due))
        db.commit()
        ids = db.session().scalars(select(Task.id).order_by(Task.due_on, Task.id)).all()
    return manager, planner, ids, client.id, engagement.id


def test_groups_follow_the_firms_day_with_counts_client_and_exhibition(app, make_user, login_as, frozen_clock):
    # 22:30 UTC on Sunday 1 March is Monday 2 March in Moscow: this week runs to Sunday 8 March
    frozen_clock.set(datetime(2026, 3, 1, 22, 30, tzinfo=timezone.utc))
    dues = [date(2026, 3, 1), date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 8), date(2026, 3, 9)]
    manager, _, ids, client_id, engagement_id = _setup(app, make_user, dues)
    html = login_as(manager).get("/tasks").get_data(as_text=True)
    assert [_count(html, key) for key in ("overdue", "today", "week", "later")] == [2, 1, 2, 1]
    assert "Task 0" in _section(html, "overdue") and "Task 1" in _section(html, "overdue")
    assert "Task 2" in _section(html, "today")
    assert "Task 3" in _section(html, "week") and "Task 4" in _section(html, "week")
    assert "Task 5" in _section(html, "later") and "Task 4" not in _section(html, "later")
    overdue = _section(html, "overdue")
    assert f'href="/clients/{client_id}">ООО «Ромашка»</a>' in overdue
    assert f'href="/engagements/{engagement_id}">Мебель-2026</a>' in overdue
    # two tasks of one engagement: the first says one more follows, the second is marked as its
    assert "+1 more for this engagement" in overdue and overdue.count('class="same-engagement"') == 1
    assert 'id="tasks-unassigned"' not in html  # a manager has no unassigned group


def test_one_group_alone_and_bad_arguments_are_refused(app, make_user, login_as, frozen_clock):
    manager, *_ = _setup(app, make_user, [date(2026, 3, 1), date(2026, 3, 2)])
    page = login_as(manager)
    html = page.get("/tasks?group=today").get_data(as_text=True)
    assert 'id="tasks-today"' in html and 'id="tasks-overdue"' not in html and "Task 1" in html
    assert page.get("/tasks?group=nosuch").status_code == 422
    assert page.get("/tasks?group=today&after=yesterday").status_code == 422
    assert page.get("/tasks?sort=nosuch").status_code == 422


def test_a_group_pages_by_keyset_beyond_fifty(app, make_user, login_as, frozen_clock):
    dues = [date(2026, 2, 1) + timedelta(days=i % 20) for i in range(53)]
    manager, _, ids, *_ = _setup(app, make_user, dues)
    page = login_as(manager)
    html = page.get("/tasks").get_data(as_text=True)
    overdue = _section(html, "overdue")
    assert _count(html, "overdue") == 53 and overdue.count('id="task-') == 50
    more = re.search(r'<li class="more"><a href="([^"]+)"', overdue).group(1).replace("&amp;", "&")
    last = db_task(app, ids[49])
    assert f"after={last.due_on.isoformat()}.{last.id}" in more
    # without JS: the link is a page of that group from there on
    rest = page.get(more).get_data(as_text=True)
    shown = [int(n) for n in re.findall(r'id="task-(\d+)"', rest)]
    assert shown == ids[50:] and '<li class="more">' not in rest
    # with HTMX: just the next lines, put in place of the "show more" line
    fragment = page.get(more, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<h1>" not in fragment and [int(n) for n in re.findall(r'id="task-(\d+)"', fragment)] == ids[50:]


def db_task(app, task_id):
    with app.app_context():
        task = db.session().get(Task, task_id)
        db.session().expunge(task)
        return task


def test_statements_per_page_do_not_grow_with_the_tasks(make_app, make_user, login_as, frozen_clock):
    counts = []
    # every group has tasks in both runs (an empty group costs no statement): overdue, today, this week, later
    pattern = [date(2026, 2, 1), date(2026, 3, 2), date(2026, 3, 5), date(2026, 4, 1)]
    for n in (1, 40):
        app = make_app()
        manager, _, ids, *_ = _setup(app, make_user, pattern * n)
        page = login_as(manager, app)
        with count_queries(app) as first:
            assert page.get("/tasks").status_code == 200
        with count_queries(app) as later:
            assert page.get(f"/tasks?group=overdue&after=2026-02-01.{ids[0]}").status_code == 200
        counts.append((len(first), len(later)))
    assert counts[0] == counts[1]


def test_an_inline_completion_answers_with_the_new_counts_and_an_undo(app, make_user, login_as, frozen_clock):
    manager, _, ids, *_ = _setup(app, make_user, [date(2026, 3, 1), date(2026, 2, 20), date(2026, 3, 2)])
    page = login_as(manager)
    assert _count(page.get("/tasks").get_data(as_text=True), "overdue") == 2
    done = page.submit(f"/tasks/{ids[0]}/complete", htmx=True)
    assert done.status_code == 200
    trigger = json.loads(done.headers["HX-Trigger"])
    assert trigger["expo:task-counts"] == {"overdue": 1, "today": 1, "week": 0, "later": 0, "total": 2}
    body = done.get_data(as_text=True)
    assert re.search(r'id="count-overdue" hx-swap-oob="true">1<', body)
    assert f'action="/tasks/{ids[0]}/undo"' in body and 'class="task-done"' in body


def test_without_js_completing_redirects_with_the_counts_right_and_an_undo(app, make_user, login_as, frozen_clock):
    manager, _, ids, *_ = _setup(app, make_user, [date(2026, 3, 1), date(2026, 2, 20)])
    page = login_as(manager)
    done = page.submit(f"/tasks/{ids[0]}/complete")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/tasks?done={ids[0]}")
    html = page.get(done.headers["Location"]).get_data(as_text=True)
    assert _count(html, "overdue") == 1 and "Task done: Task 1" in html  # ids run in due order
    assert f'action="/tasks/{ids[0]}/undo"' in html
    assert page.submit(f"/tasks/{ids[0]}/undo").status_code == 302
    assert _count(page.get("/tasks").get_data(as_text=True), "overdue") == 2


def test_undo_reopens_the_task_takes_back_its_history_line_and_is_audited(app, make_user, login_as, frozen_clock):
    manager, _, ids, *_ = _setup(app, make_user, [date(2026, 3, 1)])
    page = login_as(manager)
    page.submit(f"/tasks/{ids[0]}/complete", htmx=True)
    with app.app_context():
        assert db.session().scalar(select(Activity.text)) == "Task done: Task 0"
    frozen_clock.advance(minutes=9)
    undone = page.submit(f"/tasks/{ids[0]}/undo", htmx=True)
    assert undone.status_code == 200
    assert json.loads(undone.headers["HX-Trigger"])["expo:task-counts"]["overdue"] == 1
    assert f'action="/tasks/{ids[0]}/complete"' in undone.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Task, ids[0]).done_at is None
        assert db.session().scalar(select(Activity.id)) is None
        assert db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_type == "task")).all() \
            == ["complete", "reopen"]
    assert page.submit(f"/tasks/{ids[0]}/undo", htmx=True).status_code == 409  # open again: nothing to undo


def test_undo_is_refused_late_and_to_anyone_but_who_completed_it(app, make_user, login_as, frozen_clock):
    manager, planner, ids, *_ = _setup(app, make_user, [date(2026, 3, 1), date(2026, 3, 1)])
    other = make_user("manager")
    page = login_as(manager)
    page.submit(f"/tasks/{ids[0]}/complete")
    page.submit(f"/tasks/{ids[1]}/complete")
    assert login_as(planner).submit(f"/tasks/{ids[0]}/undo").status_code == 403  # sees it, did not complete it
    assert login_as(other).submit(f"/tasks/{ids[0]}/undo").status_code == 404  # another manager's task
    frozen_clock.advance(minutes=11)
    assert page.submit(f"/tasks/{ids[1]}/undo").status_code == 409
    with app.app_context():
        assert all(db.session().get(Task, i).done_at is not None for i in ids)


def test_the_start_page_tiles_lead_to_the_filtered_tasks(app, make_user, login_as, frozen_clock):
    manager, *_ = _setup(app, make_user, [date(2026, 3, 1), date(2026, 2, 27), date(2026, 3, 2), date(2026, 3, 5)])
    page = login_as(manager)
    html = page.get("/").get_data(as_text=True)
    overdue = html[html.index('id="tile-overdue"'):html.index("</a>", html.index('id="tile-overdue"'))]
    today = html[html.index('id="tile-today"'):html.index("</a>", html.index('id="tile-today"'))]
    assert 'href="/tasks?group=overdue"' in overdue and "<strong>2</strong> overdue tasks" in overdue
    assert "Task 0" in overdue and "Task 1" in overdue and "Мебель-2026" in overdue
    assert 'href="/tasks?group=today"' in today and "<strong>1</strong> task for today" in today and "Task 2" in today
    assert "Task 3" not in html
    target = page.get("/tasks?group=overdue").get_data(as_text=True)
    assert _count(target, "overdue") == 2 and 'id="tasks-today"' not in target
