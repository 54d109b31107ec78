"""Exhibition reads: the list with engagement counts per state."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.engine import Row

from expo.core import access, db
from expo.core.access import Actor
from expo.core.models import EngagementCount, Exhibition


def all_exhibitions() -> list[Row]:
    """Every exhibition, the latest first (the list, select boxes, reports): plain rows of
    ``id, name, venue, starts_on, ends_on`` (a page shows them all; objects cost more than the SQL)."""
    return db.rows(_ALL)


_ALL = select(Exhibition.id, Exhibition.name, Exhibition.venue, Exhibition.starts_on, Exhibition.ends_on) \
    .order_by(Exhibition.starts_on.desc(), Exhibition.id)


def engagement_counts(user: Actor) -> dict[int, dict[str, int]]:
    """``{exhibition id: {state: count}}`` of the engagements the user may see: from the counts
    table (one grouped statement over a few thousand rows, not over every engagement)."""
    counts = access.scope_engagement_counts(
        select(EngagementCount.exhibition_id, EngagementCount.state, func.sum(EngagementCount.count))
        .group_by(EngagementCount.exhibition_id, EngagementCount.state), user)
    by_exhibition: dict[int, dict[str, int]] = {}
    for exhibition_id, state, count in db.rows(counts):
        if count:  # a key whose engagements all left keeps its row, at zero
            by_exhibition.setdefault(exhibition_id, {})[state] = int(count)
    return by_exhibition
