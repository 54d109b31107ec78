"""Exhibition reads: the list with engagement counts per state."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import access, db
from expo.core.access import Actor
from expo.core.models import Engagement, Exhibition


def all_exhibitions() -> list[Exhibition]:
    """Every exhibition, the latest first (select boxes, reports)."""
    return db.session().scalars(select(Exhibition).order_by(Exhibition.starts_on.desc())).all()


def engagement_counts(user: Actor) -> dict[int, dict[str, int]]:
    """``{exhibition id: {state: count}}`` of the engagements the user may see (one grouped statement)."""
    counts = access.scope_engagements(select(Engagement.exhibition_id, Engagement.state, func.count()), user) \
        .group_by(Engagement.exhibition_id, Engagement.state)
    by_exhibition: dict[int, dict[str, int]] = {}
    for exhibition_id, state, count in db.session().execute(counts):
        by_exhibition.setdefault(exhibition_id, {})[state] = count
    return by_exhibition
