"""Keeping ``engagement_counts`` (exhibition × manager × state) in step with the engagements.

Every write that changes what the exhibitions list counts moves its engagements between keys here,
in the same transaction: an engagement opened, closed, reopened or handed to another manager; a
client deleted or restored (its engagements leave the counts or come back; a purged client was
out of them already). An upsert adds the difference to the key's row, so two requests that
change the same key at once both count (a recount of the key would have the second overwrite or
collide with the first). ``rebuild`` recounts everything: the migration that made the table and
the bulk loader, whose COPY passes no service. See docs/decisions/0024.
"""
from __future__ import annotations

from sqlalchemy import Select, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite

from expo.core import db
from expo.core.models import Client, Engagement, EngagementCount

Key = tuple[int, int, str]  # (exhibition id, manager id or 0, state)
NO_MANAGER = 0


def key_of(engagement: Engagement, state: str | None = None, manager_id: int | None = -1) -> Key:
    """The engagement's key, or what it was with ``state`` / ``manager_id`` given."""
    manager = engagement.manager_id if manager_id == -1 else manager_id
    return engagement.exhibition_id, manager or NO_MANAGER, state or engagement.state


def opened(engagement: Engagement) -> None:
    add({key_of(engagement): 1})


def moved(engagement: Engagement, old: Key) -> None:
    """The engagement's key changed from ``old`` (closed, reopened, reassigned)."""
    new = key_of(engagement)
    if new != old:
        add({old: -1, new: 1})


def clients_leaving(client_ids: Select, sign: int = -1) -> None:
    """Take out (``sign`` −1: before a deletion) or bring back (+1: before a restoration) the
    engagements of the clients ``client_ids`` selects."""
    manager = _manager()
    groups = db.session().execute(
        select(Engagement.exhibition_id, manager, Engagement.state, func.count())
        .where(Engagement.client_id.in_(client_ids)).group_by(Engagement.exhibition_id, manager, Engagement.state))
    add({(exhibition, manager_id, state): sign * count for exhibition, manager_id, state, count in groups})


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

