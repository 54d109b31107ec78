"""My tasks (overdue / today / upcoming, completed inline) and my notifications."""
from __future__ import annotations

from flask import render_template, request, url_for

from expo.core import db
from expo.core.plugins import collect
from expo.core.queries import Sorting, default_sorting
from expo.core.queries import tasks as tasks_query
from expo.core.queries.tasks import DEFAULT_SORTING
from expo.core.services import notifications, tasks as service
from expo.web.pages import protected_blueprint, redirect_after_post, user

bp = protected_blueprint("tasks", __name__)
LIMIT = 300


@bp.get("/tasks")
def my_tasks():
    me = user()
    columns = collect("list_columns", list_name="tasks", user=me)
    sorting = Sorting.from_args(request.args, default_sorting(columns, DEFAULT_SORTING))
    return render_template("tasks/index.html", groups=tasks_query.my_tasks(me, columns, sorting, LIMIT),
                           columns=columns, sorting=sorting)


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
    return render_template("tasks/notifications.html", notifications=notifications.recent(user(), 200))


@bp.post("/notifications/read")
def read_all():
    notifications.mark_all_read(user())
    db.commit()
    return redirect_after_post(url_for("tasks.my_notifications"))
