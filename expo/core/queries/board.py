"""An exhibition's board: engagements by current step (open) or by state (closed).

Three statements whatever the size: counts per column, the first cards of each column (a window
function), and the scenarios those columns come from.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from expo.core import access, db
from expo.core.models import Engagement, Scenario, User


@dataclass
class Column:
    title: str
    count: int = 0
    cards: list[Engagement] = field(default_factory=list)


def exhibition_board(user: User, exhibition_id: int, manager_id: int | None, per_column: int) -> list[Column]:
    base = access.scope_engagements(select(Engagement), user).where(Engagement.exhibition_id == exhibition_id)
    if manager_id is not None:
        base = base.where(Engagement.manager_id == manager_id)
    session = db.session()
    key = (Engagement.scenario_id, Engagement.step, Engagement.state)
    counts = {tuple(row[:3]): row[3] for row in session.execute(
        base.with_only_columns(*key, func.count()).group_by(*key))}
    ranked = base.add_columns(func.row_number().over(partition_by=key, order_by=Engagement.opened_at.desc())
                              .label("rank")).subquery()
    shown = aliased(Engagement, ranked)
    cards: dict[tuple, list[Engagement]] = {}
    for engagement in session.scalars(select(shown).where(ranked.c.rank <= per_column)
                                      .order_by(ranked.c.opened_at.desc())):
        cards.setdefault((engagement.scenario_id, engagement.step, engagement.state), []).append(engagement)
    scenario_ids = sorted({k[0] for k in counts if k[0] is not None})
    scenarios = session.scalars(select(Scenario).where(Scenario.id.in_(scenario_ids))
                                .options(selectinload(Scenario.steps))).all() if scenario_ids else []
    columns: list[Column] = []
    for scenario in scenarios:
        prefix = f"{scenario.name} · " if len(scenarios) > 1 else ""
        for step in scenario.steps:
            k = (scenario.id, step.key, "open")
            columns.append(Column(prefix + step.title, counts.get(k, 0), cards.get(k, [])))
    from expo.core.labels import label

    for state in ("won", "lost", "declined"):
        keys = [k for k in counts if k[2] == state]
        column = Column(label("state", state), sum(counts[k] for k in keys))
        column.cards = sorted((e for k in keys for e in cards.get(k, [])), key=lambda e: e.opened_at,
                              reverse=True)[:per_column]
        columns.append(column)
    return columns
