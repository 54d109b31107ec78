"""An exhibition's board: engagements by current step (open) or by state (closed).

Three statements whatever the size: counts per column, the first cards of each column (a window
function, in the list's order — a plugin column's when one is the default), and the scenarios
those columns come from.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from expo.core import access, db
from expo.core.hooktypes import ListColumn
from expo.core.models import Engagement, Scenario, User
from expo.core.queries import Sorting, labelled, order_by, plugin_values, sortable_columns, with_joins
from expo.core.queries.engagements import DEFAULT_SORTING, ENGAGEMENT_SORTS


@dataclass
class Card:
    engagement: Engagement
    values: dict[str, Any]  # plugin column values


@dataclass
class Column:
    title: str
    count: int = 0
    cards: list[Card] = field(default_factory=list)


def exhibition_board(user: User, exhibition_id: int, manager_id: int | None, per_column: int,
                     columns: list[ListColumn] = (), sorting: Sorting = DEFAULT_SORTING) -> list[Column]:
    from expo.core.labels import label

    base = access.scope_engagements(select(Engagement), user).where(Engagement.exhibition_id == exhibition_id)
    if manager_id is not None:
        base = base.where(Engagement.manager_id == manager_id)
    session = db.session()
    key = (Engagement.scenario_id, Engagement.step, Engagement.state)
    counts = {tuple(row[:3]): row[3] for row in session.execute(
        base.with_only_columns(*key, func.count()).group_by(*key))}
    order = order_by(sortable_columns(ENGAGEMENT_SORTS, columns), sorting, Engagement.id)
    ranked = with_joins(base, columns).add_columns(
        *labelled(columns), func.row_number().over(partition_by=key, order_by=order).label("rank")).subquery()
    shown = aliased(Engagement, ranked)
    by_step: dict[tuple, list[Card]] = {}
    by_result_kind: dict[str, list[Card]] = {}  # all scenario versions together, best ranks first
    plugin_columns = [ranked.c[f"col_{c.key}"] for c in columns]
    for row in session.execute(select(shown, *plugin_columns).where(ranked.c.rank <= per_column)
                               .order_by(ranked.c.rank)):
        engagement, card = row[0], Card(row[0], plugin_values(row, columns))
        if engagement.state == "open":
            by_step.setdefault((engagement.scenario_id, engagement.step), []).append(card)
        else:
            by_result_kind.setdefault(engagement.state, []).append(card)
    scenario_ids = sorted({k[0] for k in counts if k[0] is not None})
    scenarios = session.scalars(select(Scenario).where(Scenario.id.in_(scenario_ids))
                                .options(selectinload(Scenario.steps))).all() if scenario_ids else []
    board: list[Column] = []
    for scenario in scenarios:
        prefix = f"{scenario.name} · " if len(scenarios) > 1 else ""
        for step in scenario.steps:
            board.append(Column(prefix + step.title, counts.get((scenario.id, step.key, "open"), 0),
                                by_step.get((scenario.id, step.key), [])))
    for state in ("won", "lost", "declined"):
        count = sum(n for k, n in counts.items() if k[2] == state)
        board.append(Column(label("state", state), count, by_result_kind.get(state, [])[:per_column]))
    return board
