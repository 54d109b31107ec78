"""Tasks from actions, my tasks page, escalation once per miss, stalled engagements, notifications."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import Activity, Engagement, Notification, Task, User
from expo.core.services import activities, process
from expo.core.services.tasks import escalate_missed_deadlines, flag_stalled_engagements
from expo.testing import PageClient
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)  # a Monday


class FrozenClock:
    def __init__(self, monkeypatch, at):
        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def advance(self, **delta):
        self.at += timedelta(**delta)


@pytest.fixture
def frozen(monkeypatch):
    return FrozenClock(monkeypatch, START)


def _hard_scenario():
    definition = copy.deepcopy(DESIGN_EXAMPLE)
    definition["steps"][0]["actions"] = [
        {"title": "Call the client", "deadline_days": 2, "hard": True, "escalate_to": "planner"},
        {"title": "Send a letter", "deadline_days": 5, "hard": False},
    ]
    return definition


@pytest.fixture
def world(app, make_user, frozen):
    planner = make_user("planner", email="p@firm.ru")
    manager = make_user("manager", email="m@firm.ru")
    admin = make_user("admin", email="a@firm.ru")
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p, _hard_scenario())
        engagement = new_engagement(p, new_client(p, name="ООО «Срок»", manager_id=manager.id),
                                    new_exhibition(p), scenario_id=scenario.id)
    return {"planner": planner, "manager": manager, "admin": admin, "engagement_id": engagement.id}


def test_entering_a_step_makes_dated_tasks_for_the_manager(app, world):
    with app.app_context():
        rows = db.session().scalars(select(Task).order_by(Task.id)).all()
        assert [(t.title, t.due_on.isoformat(), t.hard_deadline, t.assignee_id) for t in rows] == [
            ("Call the client", "2026-03-04", True, world["manager"].id),
            ("Send a letter", "2026-03-07", False, world["manager"].id)]


def test_a_missed_hard_deadline_escalates_once(app, world, frozen):
    with app.app_context():
        frozen.advance(days=2)
        assert escalate_missed_deadlines() == 0  # due today: not missed yet
        frozen.advance(days=1)
        assert escalate_missed_deadlines() == 1
        db.commit()
        assert escalate_missed_deadlines() == 0  # once per miss
        frozen.advance(days=10)
        assert escalate_missed_deadlines() == 0
        db.commit()
        notes = db.session().scalars(select(Notification)).all()
        assert [(n.user_id, n.kind) for n in notes] == [(world["planner"].id, "escalation")]
        assert "Call the client" in notes[0].text and "ООО «Срок»" in notes[0].text
        assert notes[0].url == f"/engagements/{world['engagement_id']}"


def test_escalations_are_mailed_to_the_outbox(app, world, frozen):
    with app.app_context():
        frozen.advance(days=3)
        escalate_missed_deadlines()
        db.commit()  # the mail job runs after the commit (in-process here)
    mails = list(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))
    assert len(mails) == 1
    message = message_from_bytes(mails[0].read_bytes())
    assert message["To"] == "p@firm.ru" and "Missed deadline" in message["Subject"]
    assert f"/engagements/{world['engagement_id']}" in message.get_payload(decode=True).decode()


def test_a_done_or_left_task_never_escalates(app, world, frozen):
    with app.app_context():
        manager = db.session().get(User, world["manager"].id)
        process.choose_outcome(db.session().get(Engagement, world["engagement_id"]), "interested", manager)
        db.commit()
        frozen.advance(days=30)
        assert escalate_missed_deadlines() == 0


def test_the_stalled_check_tells_planners_once_and_activity_clears_it(app, world, frozen):
    with app.app_context():
        frozen.advance(days=13)
        assert flag_stalled_engagements(14) == 0
        frozen.advance(days=2)
        assert flag_stalled_engagements(14) == 1
        db.commit()
        assert flag_stalled_engagements(14) == 0
        engagement = db.session().get(Engagement, world["engagement_id"])
        db.session().refresh(engagement)
        assert engagement.stalled_at is not None
        manager = db.session().get(User, world["manager"].id)
        activities.log_activity(engagement.client, {"kind": "call", "text": "Дозвонились",
                                                    "engagement_id": engagement.id}, manager)
        db.commit()
        db.session().refresh(engagement)
        assert engagement.stalled_at is None
        frozen.advance(days=15)
        assert flag_stalled_engagements(14) == 1  # stalled again, told again
        kinds = db.session().scalars(select(Notification.kind)).all()
        assert kinds == ["stalled", "stalled"]


def test_tasks_check_command(app, world, frozen):
    frozen.advance(days=20)
    result = app.test_cli_runner().invoke(args=["tasks", "check"])
    assert result.exit_code == 0 and result.output.strip() == "escalated: 1, stalled: 1"


def test_my_tasks_groups_and_completes_inline(app, world, frozen):
    page = PageClient(app)
    page.login("m@firm.ru")
    frozen.advance(days=3)
    html = page.get("/tasks").get_data(as_text=True)
    overdue = html[html.index('id="tasks-overdue"'):html.index('id="tasks-today"')]
    this_week = html[html.index('id="tasks-week"'):]  # due Saturday 7 March, seen on Thursday 5th
    assert "Call the client" in overdue and "Send a letter" in this_week
    with app.app_context():
        task_id = db.session().scalar(select(Task.id).where(Task.title == "Call the client"))
    done = page.submit(f"/tasks/{task_id}/complete", htmx=True)
    assert done.status_code == 200 and "expo:changed" in json.loads(done.headers["HX-Trigger"])
    assert "Call the client" not in page.get("/tasks").get_data(as_text=True)
    assert page.submit(f"/tasks/{task_id}/complete", htmx=True).status_code == 409
    with app.app_context():
        assert db.session().scalar(select(Activity.text)) == "Task done: Call the client"


def test_others_cannot_complete_my_tasks(app, world, make_user):
    make_user("manager", email="x@firm.ru")
    page = PageClient(app)
    page.login("x@firm.ru")
    with app.app_context():
        task_id = db.session().scalar(select(Task.id))
    assert page.submit(f"/tasks/{task_id}/complete").status_code == 404


def test_notifications_page_and_unread_count(app, world, frozen):
    with app.app_context():
        frozen.advance(days=3)
        escalate_missed_deadlines()
        db.commit()
    page = PageClient(app)
    page.login("p@firm.ru")
    home = page.get("/").get_data(as_text=True)
    assert '<span class="unread">1</span>' in home
    assert "Missed deadline" in page.get("/notifications").get_data(as_text=True)
    page.submit("/notifications/read")
    assert '<span class="unread">' not in page.get("/").get_data(as_text=True)
