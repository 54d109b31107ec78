"""The start page's numbers: what needs attention today (three counts, each one statement)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from expo.core import access, db
from expo.core.access import Actor
from expo.core.models import Client, Engagement
from expo.core.queries.tasks import overdue_count


@dataclass
class StartCounts:
    clients: int
    open_engagements: int
    overdue_tasks: int


def start_counts(user: Actor) -> StartCounts:
    session = db.session()
    # count(*), not count(id): PostgreSQL may then answer from an index alone
    clients = session.scalar(access.scope_clients(select(func.count()).select_from(Client), user))
    open_engagements = session.scalar(
        access.scope_engagements(select(func.count()).select_from(Engagement), user).where(Engagement.state == "open"))
    return StartCounts(clients or 0, open_engagements or 0, overdue_count(user))
