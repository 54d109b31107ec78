"""The start page's numbers: what needs attention today (a bounded number of statements)."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from expo.core import access, db
from expo.core.access import Actor
from expo.core.models import Client, EngagementCount
from expo.core.queries.tasks import TaskRow, first_of_group, group_counts

FIRST_FEW = 3  # tasks named on each tile


@dataclass
class StartCounts:
    clients: int
    open_engagements: int
    overdue_tasks: int
    today_tasks: int = 0
    first_overdue: list[TaskRow] = field(default_factory=list)
    first_today: list[TaskRow] = field(default_factory=list)


def start_counts(user: Actor) -> StartCounts:
    """Counts (three statements) and the first few overdue and today's tasks (one each, only when any)."""
    session = db.session()
    # count(*), not count(id): PostgreSQL may then answer from an index alone
    clients = session.scalar(access.scope_clients(select(func.count()).select_from(Client), user))
    # from the counts the services keep (decision 24): counting the rows took a manager 40 ms
    open_engagements = session.scalar(access.scope_engagement_counts(
        select(func.sum(EngagementCount.count)).where(EngagementCount.state == "open"), user))
    tasks = group_counts(user)
    return StartCounts(
        clients or 0, open_engagements or 0, tasks["overdue"], tasks["today"],
        first_of_group(user, "overdue", FIRST_FEW) if tasks["overdue"] else [],
        first_of_group(user, "today", FIRST_FEW) if tasks["today"] else [])
