"""My tasks (grouped by when they are due, paged, completed inline with an undo) and my notifications."""
from __future__ import annotations

import json

from flask import render_template, request, url_for

from expo.core import db
from expo.core.errors import ExpoError
from expo.core.plugins import collect
from expo.core.queries import Sorting, default_sorting
from expo.core.queries import tasks as tasks_query
from expo.core.queries.tasks import DEFAULT_SORTING
from expo.core.services import notifications, tasks as service
from expo.web.pages import protected_blueprint, redirect_after_post, user

bp = protected_blueprint("tasks", __name__)


@bp.get("/tasks")
def my_tasks():
    me = user()
    columns = collect("list_columns", list_name="tasks", user=me)
    sorting = Sorting.from_args(request.args, default_sorting(columns, DEFAULT_SORTING))
    only = request.args.get("group") or None
    after = tasks_query.parse_after(request.args.get("after")) if only else None
    groups = tasks_query.my_tasks(me, columns, sorting, only, after)
    if request.htmx and after is not None:
        # "Show more": the next lines and the next "show more", appended in place of the old one
        return render_template("_partials/task_items.html", group=groups[0], columns=columns, sorting=sorting)
    done = _just_done(me, request.args.get("done"))
    return render_template("tasks/index.html", groups=groups, columns=columns, sorting=sorting, only=only,
                           after=after, done=done)


def _just_done(me, raw):
    """The task a no-JS completion just closed, for the flash line with its Undo button."""
    if not raw or not raw.isdigit():
        return None
    try:
        task = service.visible_task(me, int(raw))
    except ExpoError:  # someone else's or a vanished task: no flash, the page still shows
        return None
    return task if task.done_at is not None else None


def _counts_trigger(me) -> tuple[dict, dict]:
    """The new counts, for the out-of-band counters in the answer and as an ``HX-Trigger`` event."""
    counts = tasks_query.group_counts(me)
    return counts, {"HX-Trigger": json.dumps({"expo:changed": None, "expo:task-counts": counts})}


@bp.post("/tasks/<int:task_id>/complete")
def complete(task_id: int):
    me = user()
    task = service.visible_task(me, task_id)
    service.complete(task, me)
    db.commit()
    if request.htmx:
        # The line becomes "Done · Undo" for a few seconds; the group counters are swapped out of band.
        counts, headers = _counts_trigger(me)
        return render_template("_partials/task_done.html", task=task, counts=counts), 200, headers
    return redirect_after_post(url_for("tasks.my_tasks", done=task.id))


@bp.post("/tasks/<int:task_id>/undo")
def undo(task_id: int):
    me = user()
    task = service.visible_task(me, task_id)
    service.reopen_completed(task, me)
    db.commit()
    if request.htmx:
        counts, headers = _counts_trigger(me)
        row = tasks_query.task_row(me, task.id)
        return render_template("_partials/task_line.html", row=row, columns=[], counts=counts), 200, headers
    return redirect_after_post(url_for("tasks.my_tasks"))


@bp.get("/notifications")
def my_notifications():
    return render_template("tasks/notifications.html", notifications=notifications.recent(user(), 200))


@bp.post("/notifications/read")
def read_all():
    notifications.mark_all_read(user())
    db.commit()
    return redirect_after_post(url_for("tasks.my_notifications"))
