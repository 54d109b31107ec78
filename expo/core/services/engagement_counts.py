"""Keeping ``engagement_counts`` (exhibition × manager × state) in step with the engagements.

Every write that changes what the exhibitions list counts moves its engagements between keys here,
in the same transaction: an engagement opened, closed, reopened or handed to another manager; a
client deleted or restored (its engagements leave the counts or come back; a purged client was
out of them already). A deleted client's engagements are changed without touching the counts;
the client's row is read under a lock, so a deletion at the same moment cannot count them twice. An upsert adds the difference to the key's row, so two requests that
change the same key at once both count (a recount of the key would have the second overwrite or
collide with the first). ``rebuild`` recounts everything: the migration that made the table and
the bulk loader, whose COPY passes no service. See docs/decisions/0024.
"""
from __future__ import annotations

from collections import Counter
from typing import Sequence

from sqlalchemy import delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from expo.core import db
from expo.core.models import Client, Engagement, EngagementCount

Key = tuple[int, int, str]  # (exhibition id, manager id or 0, state)
NO_MANAGER = 0
CHUNK = 5_000  # client ids per statement (SQLite takes at most 32 766 parameters)


def key_of(engagement: Engagement, state: str | None = None, manager_id: int | None = -1) -> Key:
    """The engagement's key, or what it was with ``state`` / ``manager_id`` given."""
    manager = engagement.manager_id if manager_id == -1 else manager_id
    return engagement.exhibition_id, manager or NO_MANAGER, state or engagement.state


def opened(engagement: Engagement) -> None:
    if _client_live(engagement.client_id):
        add({key_of(engagement): 1})


def moved(engagement: Engagement, old: Key) -> None:
    """The engagement's key changed from ``old`` (closed, reopened, reassigned). An engagement of
    a deleted client is out of the counts already, and stays out until the client is restored."""
    new = key_of(engagement)
    if new != old and _client_live(engagement.client_id):
        add({old: -1, new: 1})


def clients_moved(client_ids: Sequence[int], sign: int) -> None:
    """Take out (``sign`` −1, just deleted) or bring back (+1, just restored) the engagements of
    ``client_ids``: the ids the deleting or restoring UPDATE returned, so a client another request
    handled first is not counted twice."""
    manager = _manager()
    deltas: Counter = Counter()
    for start in range(0, len(client_ids), CHUNK):
        groups = db.session().execute(
            select(Engagement.exhibition_id, manager, Engagement.state, func.count())
            .where(Engagement.client_id.in_(client_ids[start:start + CHUNK]))
            .group_by(Engagement.exhibition_id, manager, Engagement.state))
        for exhibition, manager_id, state, count in groups:
            deltas[(exhibition, manager_id, state)] += sign * count
    add(dict(deltas))


def _client_live(client_id: int) -> bool:
    """Whether the client is not deleted, read under a share lock on PostgreSQL: a deletion of it
    running at the same time then waits for this transaction to end, or this one waits for the
    deletion and sees it. (SQLite lets one transaction write at a time.)"""
    found = db.session().execute(select(Client.deleted_at).where(Client.id == client_id)
                                 .with_for_update(read=True)).first()
    return found is not None and found[0] is None


def _manager():
    """The engagement's manager as its key part; the 0 written inline, for PostgreSQL sees two
    bound parameters as two expressions and refuses the GROUP BY."""
    return func.coalesce(Engagement.manager_id, literal_column(str(NO_MANAGER)))


def add(deltas: dict[Key, int]) -> None:
    """Add each delta to its key's count (a row is created at the first)."""
    rows = [{"exhibition_id": e, "manager_id": m, "state": s, "count": d} for (e, m, s), d in deltas.items() if d]
    if not rows:
        return
    session = db.session()
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    upsert = dialect.insert(EngagementCount)
    session.execute(upsert.on_conflict_do_update(
        index_elements=["exhibition_id", "manager_id", "state"],
        set_={"count": EngagementCount.count + upsert.excluded.count}), rows)


def rebuild(execute) -> None:
    """Recount every key from the engagements (``execute``: a connection's or a session's)."""
    manager = _manager()
    live = ~select(Client.id).where(Client.id == Engagement.client_id, Client.deleted_at.is_not(None)).exists()
    execute(delete(EngagementCount))
    execute(insert(EngagementCount).from_select(
        ["exhibition_id", "manager_id", "state", "count"],
        select(Engagement.exhibition_id, manager, Engagement.state, func.count()).where(live)
        .group_by(Engagement.exhibition_id, manager, Engagement.state)))

