"""Exhibition reads: the list with engagement counts per state."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import access, db
from expo.core.access import Actor
from expo.core.models import EngagementCount, Exhibition


def all_exhibitions() -> list[Exhibition]:
    """Every exhibition, the latest first (select boxes, reports)."""
    return db.session().scalars(select(Exhibition).order_by(Exhibition.starts_on.desc())).all()


def engagement_counts(user: Actor) -> dict[int, dict[str, int]]:
    """``{exhibition id: {state: count}}`` of the engagements the user may see: from the counts
    table (one grouped statement over a few thousand rows, not over every engagement)."""
    counts = access.scope_engagement_counts(
        select(EngagementCount.exhibition_id, EngagementCount.state, func.sum(EngagementCount.count))
        .group_by(EngagementCount.exhibition_id, EngagementCount.state), user)
    by_exhibition: dict[int, dict[str, int]] = {}
    for exhibition_id, state, count in db.session().execute(counts):
        if count:  # a key whose engagements all left keeps its row, at zero
            by_exhibition.setdefault(exhibition_id, {})[state] = int(count)
    return by_exhibition
