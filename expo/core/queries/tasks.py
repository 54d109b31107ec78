"""Task reads: My tasks (with plugin columns, grouped by when they are due) and overdue counts.

"Open" means neither done nor cancelled; "today" is the firm's (EXPO_TIMEZONE), as for deadlines.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func

from expo.core import clock, db
from expo.core.access import Actor
from expo.core.hooktypes import ListColumn
from expo.core.models import Task
from expo.core.queries import Sorting, labelled, order_by, plugin_values, with_joins
from expo.core.services.tasks import open_tasks_query

DEFAULT_SORTING = Sorting("due_on")
CORE_SORTS = {"due_on": Task.due_on, "title": Task.title}
GROUPS = ("overdue", "today", "upcoming", "unassigned")


@dataclass
class TaskRow:
    task: Task
    values: dict[str, Any]  # plugin column values


def group_of(task: Task, today) -> str:
    if task.assignee_id is None:
        return "unassigned"
    if task.due_on < today:
        return "overdue"
    return "today" if task.due_on == today else "upcoming"


def my_tasks(user: Actor, columns: list[ListColumn], sorting: Sorting, limit: int) -> list[tuple[str, list[TaskRow]]]:
    """The user's open tasks in ``GROUPS``, each group in ``sorting`` order (one statement)."""
    order = order_by(dict(CORE_SORTS, **{c.key: c.expression for c in columns}), sorting, Task.id)
    stmt = with_joins(open_tasks_query(user).add_columns(*labelled(columns)), columns).order_by(*order).limit(limit)
    today = clock.today()
    grouped: dict[str, list[TaskRow]] = {key: [] for key in GROUPS}
    for row in db.session().execute(stmt):
        grouped[group_of(row[0], today)].append(TaskRow(row[0], plugin_values(row, columns)))
    return list(grouped.items())


def overdue_count(user: Actor) -> int:
    """The user's open tasks due before the firm's today."""
    stmt = open_tasks_query(user).with_only_columns(func.count(Task.id)).where(
        Task.assignee_id == user.id, Task.due_on < clock.today())
    return db.session().scalar(stmt) or 0
