"""Engagement reads: an exhibition's engagement list (plugin columns, sort, paging) and what the
engagement page shows beside the engagement itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import aliased

from expo.core import access, db
from expo.core.access import Actor
from expo.core.errors import ValidationError
from expo.core.hooktypes import ListColumn
from expo.core.models import ENGAGEMENT_STATES, Activity, Client, Engagement, StepLog, Task, User
from expo.core.queries.card import activity_lines
from expo.core.queries import (Sorting, labelled, order_by, paging_from_args, plugin_values, sortable_columns,
                               with_joins)
from expo.core.validation import parse_id

DEFAULT_SORTING = Sorting("opened_at", descending=True)
# Orders that need nothing but the engagement row (the board's); the list joins the client too.
ENGAGEMENT_SORTS = {"opened_at": Engagement.opened_at, "step": Engagement.step, "state": Engagement.state,
                    "expected_amount": Engagement.expected_amount}
LIST_SORTS = {**ENGAGEMENT_SORTS, "client": Client.name_search}


@dataclass
class EngagementListQuery:
    manager_id: int | None = None
    state: str | None = None
    sorting: Sorting = DEFAULT_SORTING
    offset: int = 0
    limit: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_sorting: Sorting = DEFAULT_SORTING) -> "EngagementListQuery":
        """Read the query from request args; bad values raise a ValidationError naming them."""
        errors: dict[str, str] = {}
        manager_id = state = None
        if (args.get("manager_id") or "").strip():
            manager_id = parse_id(args["manager_id"])
            if manager_id is None:
                errors["manager_id"] = str(_l("Must be a whole number."))
        if (args.get("state") or "").strip():
            state = args["state"].strip()
            if state not in ENGAGEMENT_STATES:
                errors["state"] = str(_l("Must be one of: %(options)s.", options=", ".join(ENGAGEMENT_STATES)))
        try:
            limit, offset = paging_from_args(args)
        except ValidationError as problem:
            errors.update(problem.fields)
            limit, offset = 50, 0
        if errors:
            raise ValidationError(fields=errors)
        return cls(manager_id, state, Sorting.from_args(args, default_sorting), offset, limit)

    @property
    def filters(self) -> dict[str, Any]:
        """The filters as URL parameters (for links that keep them)."""
        return {key: value for key, value in (("manager_id", self.manager_id), ("state", self.state)) if value}


@dataclass
class EngagementPage:
    rows: list[tuple[Engagement, dict[str, Any]]]  # each engagement with its plugin column values
    total: int


def exhibition_engagements(user: Actor, exhibition_id: int, query: EngagementListQuery,
                           columns: list[ListColumn] = ()) -> EngagementPage:
    """One exhibition's engagements the user may see: two statements (the page and the count)."""
    order = order_by(sortable_columns(LIST_SORTS, columns), query.sorting, Engagement.id)
    base = access.scope_engagements(select(Engagement), user).where(Engagement.exhibition_id == exhibition_id)
    if query.manager_id is not None:
        base = base.where(Engagement.manager_id == query.manager_id)
    if query.state is not None:
        base = base.where(Engagement.state == query.state)
    total = db.session().scalar(base.with_only_columns(func.count(Engagement.id)))
    stmt = (with_joins(base.add_columns(*labelled(columns)).join(Client, Client.id == Engagement.client_id), columns)
            .order_by(*order).offset(query.offset).limit(query.limit))
    rows = [(row[0], plugin_values(row, columns)) for row in db.session().execute(stmt)]
    return EngagementPage(rows, total or 0)


@dataclass
class EngagementDetails:
    """What the engagement page shows around the engagement: plain rows from statements built once
    (three statements; objects and statement building cost more than the SQL, docs/performance.md)."""

    steps_log: list[Row] = field(default_factory=list)  # oldest first, with who entered and left each step
    activities: list[Row] = field(default_factory=list)  # the newest first
    open_tasks: list[Row] = field(default_factory=list)  # by due date


def engagement_details(engagement: Engagement, activity_limit: int) -> EngagementDetails:
    values = {"engagement_id": engagement.id}
    return EngagementDetails(db.rows(_STEPS_LOG, values), db.rows(_ACTIVITIES, {**values, "limit": activity_limit}),
                             db.rows(_OPEN_TASKS, values))


_entered, _left = aliased(User), aliased(User)
_STEPS_LOG = (select(StepLog.step, StepLog.entered_at, StepLog.left_at, StepLog.outcome, StepLog.closing,
                     StepLog.result, StepLog.comment, _entered.name.label("entered_by"), _left.name.label("left_by"))
              .outerjoin(_entered, _entered.id == StepLog.entered_by_id)
              .outerjoin(_left, _left.id == StepLog.left_by_id)
              .where(StepLog.engagement_id == bindparam("engagement_id")).order_by(StepLog.id))
_ACTIVITIES = activity_lines(Activity.engagement_id == bindparam("engagement_id"))
_OPEN_TASKS = (select(Task.id, Task.title, Task.due_on, Task.hard_deadline, Task.instructions)
               .where(Task.engagement_id == bindparam("engagement_id"), Task.done_at.is_(None),
                      Task.cancelled_at.is_(None))
               .order_by(Task.due_on, Task.id))
