"""An exhibition's board: open engagements in one column per step, closed ones in a results row.

The columns are the steps of each scenario *lineage* the exhibition's engagements follow: the
versions in use are merged by step key, so saving a new version never doubles the board. A draft
version has no engagements, so it adds no column.

Three statements whatever the size: one aggregate (count and Σ amount per scenario version, step,
state and result), the step and result titles of the versions in use, and the first cards of every
column — on PostgreSQL one ``LATERAL … LIMIT n`` per column over ``ix_engagements_board`` (an index
range read each, docs/performance.md), elsewhere a ``row_number()`` window over the open ones.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Integer, String, column, func, literal, select, true, values
from sqlalchemy.orm import aliased

from expo.core import access, db
from expo.core.hooktypes import ListColumn
from expo.core.models import RESULT_KINDS, Engagement, Scenario, ScenarioResult, ScenarioStep, User
from expo.core.queries import Sorting, labelled, order_by, plugin_values, sortable_columns, with_joins
from expo.core.queries.engagements import DEFAULT_SORTING, ENGAGEMENT_SORTS


@dataclass
class Card:
    engagement: Engagement
    values: dict[str, Any]  # plugin column values


@dataclass
class Column:
    """One step of one scenario lineage: its open engagements."""

    title: str
    count: int = 0
    amount: Decimal = Decimal(0)  # Σ expected amount of its engagements
    cards: list[Card] = field(default_factory=list)


@dataclass
class ResultCount:
    title: str
    count: int


@dataclass
class ResultKind:
    """Won, lost or declined: how many, Σ contract amount (won), and how many per result."""

    kind: str
    count: int = 0
    amount: Decimal = Decimal(0)
    results: list[ResultCount] = field(default_factory=list)


@dataclass
class Board:
    columns: list[Column]
    results: list[ResultKind]

    @property
    def closed(self) -> int:
        return sum(kind.count for kind in self.results)


@dataclass
class _Lineage:
    """A scenario lineage as the board shows it: merged step order, newest titles."""

    name: str
    steps: list[str] = field(default_factory=list)  # step keys in board order
    titles: dict[str, str] = field(default_factory=dict)


def merge_steps(versions: Iterable[list[tuple[str, str]]]) -> tuple[list[str], dict[str, str]]:
    """Merge versions' ``[(step key, title)]`` lists, newest first, into one step order.

    The newest version gives the order and the titles; a step only older versions have goes right
    after the step it followed there (or first, if it was first), so a retired step stays where
    people remember it.
    """
    order: list[str] = []
    titles: dict[str, str] = {}
    for steps in versions:
        previous = None
        for key, title in steps:
            if key not in titles:
                titles[key] = title
                order.insert(order.index(previous) + 1 if previous is not None else 0, key)
            previous = key
    return order, titles


def exhibition_board(user: User, exhibition_id: int, manager_id: int | None, per_column: int,
                     columns: list[ListColumn] = (), sorting: Sorting = DEFAULT_SORTING) -> Board:
    base = access.scope_engagements(select(Engagement), user).where(Engagement.exhibition_id == exhibition_id)
    if manager_id is not None:
        base = base.where(Engagement.manager_id == manager_id)
    session = db.session()
    key = (Engagement.scenario_id, Engagement.state, Engagement.step, Engagement.result)
    totals = session.execute(base.with_only_columns(
        *key, func.count(), func.sum(Engagement.expected_amount), func.sum(Engagement.contract_amount))
        .group_by(*key)).all()
    version_ids = sorted({row[0] for row in totals if row[0] is not None})
    lineages, lineage_of, result_titles = _definitions(version_ids)

    board_columns: dict[tuple[int, str], Column] = {}
    for lineage_id, lineage in lineages.items():
        prefix = f"{lineage.name} · " if len(lineages) > 1 else ""
        for step in lineage.steps:
            board_columns[(lineage_id, step)] = Column(prefix + lineage.titles[step])
    kinds = {kind: ResultKind(kind) for kind in RESULT_KINDS}
    per_result: dict[str, dict[str, int]] = {kind: defaultdict(int) for kind in RESULT_KINDS}
    for scenario_id, state, step, result, count, expected, contract in totals:
        if state == "open":
            target = board_columns.get((lineage_of.get(scenario_id), step))
            if target is None:  # no scenario, or a step its version lost: a column of its own
                target = board_columns.setdefault((lineage_of.get(scenario_id), step), Column(step or "—"))
            target.count += count
            target.amount += expected or 0
        elif state in kinds:
            kinds[state].count += count
            kinds[state].amount += contract or 0
            per_result[state][result_titles.get((lineage_of.get(scenario_id), result), result or "—")] += count
    for kind, counts in per_result.items():
        kinds[kind].results = [ResultCount(title, n) for title, n in sorted(counts.items(), key=lambda i: -i[1])]

    open_columns = [(scenario_id, step) for scenario_id, state, step, *_ in totals if state == "open"]
    if open_columns:
        for scenario_id, card in _cards(base, open_columns, per_column, columns, sorting):
            board_columns[(lineage_of.get(scenario_id), card.engagement.step)].cards.append(card)
    return Board(list(board_columns.values()), list(kinds.values()))


def _definitions(version_ids: list[int]) -> tuple[dict[int, _Lineage], dict[int, int], dict[tuple[int, str], str]]:
    """The lineages of the versions in use (one statement: their steps and results together).

    Returns the lineages by id (merged step order), ``{version id: lineage id}``, and
    ``{(lineage id, result key): title}`` (the newest title).
    """
    if not version_ids:
        return {}, {}, {}
    steps = select(Scenario.id, Scenario.lineage_id, Scenario.version, Scenario.name, literal("step").label("what"),
                   ScenarioStep.key, ScenarioStep.title, ScenarioStep.position) \
        .join(ScenarioStep, ScenarioStep.scenario_id == Scenario.id).where(Scenario.id.in_(version_ids))
    results = select(Scenario.id, Scenario.lineage_id, Scenario.version, Scenario.name, literal("result"),
                     ScenarioResult.key, ScenarioResult.title, ScenarioResult.position) \
        .join(ScenarioResult, ScenarioResult.scenario_id == Scenario.id).where(Scenario.id.in_(version_ids))
    rows = sorted(db.session().execute(steps.union_all(results)).all(),
                  key=lambda row: (row.lineage_id or row.id, -row.version, row.position))
    lineage_of = {row.id: row.lineage_id or row.id for row in rows}
    versions: dict[int, dict[int, list[tuple[str, str]]]] = defaultdict(dict)  # lineage → version → steps
    names: dict[int, str] = {}
    result_titles: dict[tuple[int, str], str] = {}
    for row in rows:  # newest version first
        lineage = lineage_of[row.id]
        names.setdefault(lineage, row.name)
        if row.what == "step":
            versions[lineage].setdefault(row.version, []).append((row.key, row.title))
        else:
            result_titles.setdefault((lineage, row.key), row.title)
    lineages = {}
    for lineage_id in sorted(versions):
        order, titles = merge_steps(versions[lineage_id].values())
        lineages[lineage_id] = _Lineage(names[lineage_id], order, titles)
    return lineages, lineage_of, result_titles


def _cards(base, open_columns: list[tuple[int | None, str | None]], per_column: int, columns: list[ListColumn],
           sorting: Sorting) -> list[tuple[int | None, Card]]:
    """The first ``per_column`` open engagements of every (version, step), in the list's order."""
    if sorting.key == "opened_at":
        # Never blank, so no NULLS LAST: the order then is ix_engagements_board's (read backwards).
        order = [Engagement.opened_at.desc() if sorting.descending else Engagement.opened_at.asc(), Engagement.id]
    else:
        order = order_by(sortable_columns(ENGAGEMENT_SORTS, columns), sorting, Engagement.id)
    if db.session().get_bind().dialect.name == "postgresql" and all(None not in c for c in open_columns):
        wanted = values(column("scenario_id", Integer), column("step", String), name="board_columns") \
            .data(open_columns)
        first = (with_joins(base, columns).add_columns(*labelled(columns))
                 .where(Engagement.state == "open", Engagement.scenario_id == wanted.c.scenario_id,
                        Engagement.step == wanted.c.step)
                 # the rank keeps each column's order outside the LATERAL (a join promises none)
                 .add_columns(func.row_number().over(order_by=order).label("rank"))
                 .order_by(*order).limit(per_column).lateral("card"))
        shown = aliased(Engagement, first)
        statement = select(shown, *[first.c[f"col_{c.key}"] for c in columns]).select_from(wanted) \
            .join(first, true()).order_by(first.c.rank)
    else:
        open_ones = base.where(Engagement.state == "open")
        ranked = with_joins(open_ones, columns).add_columns(
            *labelled(columns), func.row_number().over(partition_by=(Engagement.scenario_id, Engagement.step),
                                                       order_by=order).label("rank")).subquery()
        shown = aliased(Engagement, ranked)
        statement = select(shown, *[ranked.c[f"col_{c.key}"] for c in columns]).where(ranked.c.rank <= per_column) \
            .order_by(ranked.c.rank)
    return [(row[0].scenario_id, Card(row[0], plugin_values(row, columns)))
            for row in db.session().execute(statement)]
