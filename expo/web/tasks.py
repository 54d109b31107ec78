"""My tasks (overdue / today / upcoming, completed inline) and my notifications."""
from __future__ import annotations

from itertools import groupby

from flask import render_template, request, url_for
from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import Notification, Task
from expo.core.services import notifications, tasks as service
from expo.web.pages import protected_blueprint, redirect_after_post, user

bp = protected_blueprint("tasks", __name__)
LIMIT = 300


def _group(task: Task, today) -> str:
    if task.assignee_id is None:
        return "unassigned"
    if task.due_on < today:
        return "overdue"
    return "today" if task.due_on == today else "upcoming"


GROUPS = ("overdue", "today", "upcoming", "unassigned")


def _groups():
    today = clock.today()
    rows = db.session().scalars(service.open_tasks_query(user()).order_by(Task.due_on, Task.id).limit(LIMIT)).all()
    found = {key: list(items) for key, items in groupby(sorted(rows, key=lambda t: GROUPS.index(_group(t, today))),
                                                       key=lambda t: _group(t, today))}
    return [(key, found.get(key, [])) for key in GROUPS]


@bp.get("/tasks")
def my_tasks():
    return render_template("tasks/index.html", groups=_groups())


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    task = service.visible_task(user(), task_id)
    service.complete(task, user())
    db.commit()
    if request.htmx:
        # The row goes away; the client card and engagement panels may refresh on this event.
        return "", 200, {"HX-Trigger": "expo:changed"}
    return redirect_after_post(url_for("tasks.my_tasks"))


@bp.get("/notifications")
def my_notifications():
    rows = db.session().scalars(select(Notification).where(Notification.user_id == user().id)
                                .order_by(Notification.id.desc()).limit(200)).all()
    return render_template("tasks/notifications.html", notifications=rows)


@bp.post("/notifications/read")
def read_all():
    notifications.mark_all_read(user())
    db.commit()
    return redirect_after_post(url_for("tasks.my_notifications"))
