"""Task reads: My tasks grouped by when they are due (with plugin columns), paged, and their counts.

"Open" means neither done nor cancelled; "today" is the firm's (EXPO_TIMEZONE), as for deadlines.
Each group is read a page at a time with a keyset on (due_on, id) — the partial index
``ix_tasks_open_assignee_due`` — so a page costs the same statements however many tasks there are.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, func, tuple_
from sqlalchemy.orm import aliased

from expo.core import clock, db
from expo.core.access import Actor
from expo.core.errors import ValidationError
from expo.core.hooktypes import ListColumn
from expo.core.models import Client, Engagement, Exhibition, Task
from expo.core.queries import Sorting, labelled, order_by, plugin_values, with_joins
from expo.core.services.tasks import open_tasks_of, open_tasks_query

DEFAULT_SORTING = Sorting("due_on")
CORE_SORTS = {"due_on": Task.due_on, "title": Task.title}
GROUPS = ("overdue", "today", "week", "later", "unassigned")
PAGE_SIZE = 50
# What a line shows, as plain columns: a page of 200 lines made 200 task objects and their
# clients', which cost more than reading the rows (docs/performance.md).
# The line's client under a name of its own: a plugin column may join (or correlate with) Client.
_CLIENT = aliased(Client, name="line_client")
LINE = (Task.id, Task.title, Task.due_on, Task.hard_deadline, Task.client_id, Task.engagement_id,
        _CLIENT.name.label("client_name"))


def _lines(statement):
    """``statement`` (open tasks) selecting a line's columns and its engagement's exhibition."""
    return (statement.with_only_columns(*LINE, Exhibition.id.label("exhibition_id"),
                                        Exhibition.name.label("exhibition_name"))
            .outerjoin(_CLIENT, _CLIENT.id == Task.client_id)
            .outerjoin(Engagement, Engagement.id == Task.engagement_id)
            .outerjoin(Exhibition, Exhibition.id == Engagement.exhibition_id))


@dataclass
class TaskRow:
    task: Any  # the task's LINE columns (a row: id, title, due_on, hard_deadline, client_id, engagement_id, client_name)
    exhibition_id: int | None
    exhibition_name: str | None
    values: dict[str, Any]  # plugin column values
    more_of_engagement: int = 0  # on the first line of an engagement: how many more of its tasks follow
    same_engagement: bool = False  # a later line of an engagement already shown in this group


@dataclass
class TaskGroup:
    key: str
    count: int
    rows: list[TaskRow] = field(default_factory=list)
    next_after: str | None = None  # the keyset of the next page ("2026-03-01.123"), None on the last


def week_end(today: date) -> date:
    """The Sunday closing today's week: "this week" runs from tomorrow to it."""
    return today + timedelta(days=6 - today.weekday())


def _group_filter(key: str, user: Actor, today: date):
    return _group_condition(key, user.id, today, week_end(today))


def _group_condition(key: str, me, today, last_of_week):
    """The group's condition; ``me``, ``today`` and ``last_of_week`` are values or bound parameters."""
    if key == "unassigned":
        return Task.assignee_id.is_(None)
    mine = Task.assignee_id == me
    return {
        "overdue": mine & (Task.due_on < today),
        "today": mine & (Task.due_on == today),
        "week": mine & (Task.due_on > today) & (Task.due_on <= last_of_week),
        "later": mine & (Task.due_on > last_of_week),
    }[key]


def visible_groups(user: Actor) -> tuple[str, ...]:
    return GROUPS if user.can_assign else GROUPS[:-1]


def group_counts(user: Actor) -> dict[str, int]:
    """Open tasks per group (one statement); ``total`` is the user's own ones."""
    today = clock.today()
    keys = visible_groups(user)
    (row,) = db.rows(_counts_statement(keys), {"me": user.id, "today": today, "last_of_week": week_end(today)})
    counts = dict(zip(keys, (int(n) for n in row)))
    counts["total"] = sum(counts[key] for key in keys if key != "unassigned")
    return counts


@cache
def _counts_statement(keys: tuple[str, ...]):
    """``group_counts``' statement for these groups (a planner's include the unassigned), built once:
    building it took longer than running it (docs/performance.md)."""
    me, today, last_of_week = bindparam("me"), bindparam("today"), bindparam("last_of_week")
    return open_tasks_of(me, with_unassigned="unassigned" in keys).with_only_columns(
        *[func.coalesce(func.sum(case((_group_condition(key, me, today, last_of_week), 1), else_=0)), 0)
          for key in keys])


def parse_after(text: str | None) -> tuple[date, int] | None:
    """The keyset ``after`` argument ("2026-03-01.123"); bad input is a 422, not a 500."""
    if not text:
        return None
    try:
        due, _, task_id = text.partition(".")
        return date.fromisoformat(due), int(task_id)
    except ValueError:
        raise ValidationError(fields={"after": "YYYY-MM-DD.id"}) from None


def group_page(user: Actor, key: str, columns: list[ListColumn], sorting: Sorting,
               after: tuple[date, int] | None = None, limit: int = PAGE_SIZE) -> tuple[list[TaskRow], str | None]:
    """One page of a group (one statement), and the keyset of the next page.

    In due order pages follow each other by keyset; another order (a plugin column, the title) shows
    the first ``limit`` only — a keyset needs the order's own key, and the due order is the one for paging.
    """
    today = clock.today()
    stmt = (with_joins(_lines(open_tasks_query(user)), columns).add_columns(*labelled(columns))
            .where(_group_filter(key, user, today)))
    keyset = sorting == DEFAULT_SORTING
    if keyset:
        if after is not None:
            stmt = stmt.where(tuple_(Task.due_on, Task.id) > tuple_(*after))
        stmt = stmt.order_by(Task.due_on, Task.id)
    else:
        stmt = stmt.order_by(*order_by(dict(CORE_SORTS, **{c.key: c.expression for c in columns}), sorting, Task.id))
    first = len(LINE) + 2
    rows = [TaskRow(row, row.exhibition_id, row.exhibition_name, plugin_values(row, columns, first=first))
            for row in db.session().execute(stmt.limit(limit + 1))]
    next_after = None
    if len(rows) > limit:
        rows = rows[:limit]
        if keyset:
            next_after = f"{rows[-1].task.due_on.isoformat()}.{rows[-1].task.id}"
    mark_same_engagement(rows)
    return rows, next_after


def mark_same_engagement(rows: list[TaskRow]) -> None:
    """Several tasks of one engagement stay separate lines (each is done on its own), but the first
    says how many more follow and the others are marked as belonging to it."""
    seen: dict[int, TaskRow] = {}
    for row in rows:
        engagement_id = row.task.engagement_id
        if engagement_id is None:
            continue
        if engagement_id in seen:
            seen[engagement_id].more_of_engagement += 1
            row.same_engagement = True
        else:
            seen[engagement_id] = row


def my_tasks(user: Actor, columns: list[ListColumn], sorting: Sorting, only: str | None = None,
             after: tuple[date, int] | None = None) -> list[TaskGroup]:
    """The groups of My tasks with their counts and first pages (``only`` one group, from ``after``)."""
    keys = visible_groups(user)
    if only is not None and only not in keys:
        raise ValidationError(fields={"group": ", ".join(keys)})
    if sorting != DEFAULT_SORTING:  # an unknown order is refused even when every group is empty
        order_by(dict(CORE_SORTS, **{c.key: c.expression for c in columns}), sorting, Task.id)
    counts = group_counts(user)
    groups = []
    for key in keys:
        group = TaskGroup(key, counts[key])
        if (only is None or only == key) and group.count:
            group.rows, group.next_after = group_page(user, key, columns, sorting, after if only else None)
        if only is None or only == key:
            groups.append(group)
    return groups


def task_row(user: Actor, task_id: int) -> TaskRow | None:
    """One open task as a My tasks line (after an undo)."""
    row = db.session().execute(_lines(open_tasks_query(user)).where(Task.id == task_id)).first()
    return TaskRow(row, row.exhibition_id, row.exhibition_name, {}) if row else None


def first_of_group(user: Actor, key: str, limit: int) -> list[TaskRow]:
    """The first few of a group in due order, for the start page."""
    rows, _ = group_page(user, key, [], DEFAULT_SORTING, limit=limit)
    return rows


def overdue_count(user: Actor) -> int:
    """The user's open tasks due before the firm's today."""
    return group_counts(user)["overdue"]
