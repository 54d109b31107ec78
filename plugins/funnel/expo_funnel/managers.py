"""Cross-statistics by manager: each manager's conversion by count and by money, and the
managers × steps matrix of drop rates, a cell flagged where the manager loses significantly more
engagements at that step than the rest of the team.

The flag is a one-sided two-proportion z-test of the manager's drop rate against the rest of the
team's at the step (pooled proportion), at the level ``FUNNEL_SIGNIFICANCE`` (per cent, default
5), and only where both the manager and the rest decided at least ``FUNNEL_MIN_SAMPLE``
engagements there (default 10): too few, and a single refusal would flag a manager.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from math import sqrt
from statistics import NormalDist

from sqlalchemy import func, select

from expo.hooks import db_session, models, plugin_setting
from expo_funnel.counts import cycle_days
from expo_funnel.models import MonthCount, ResultCount, StepCount
from expo_funnel.queries import StepCounts, cached_conversion_sums, conversion_sums, rate, step_titles
from expo_funnel.sources import (CURRENT, DROPPED, DROPS, ENTRIES, Engagement, StepLog, any_deleted, count_rows,
                                 engagement_conditions, grouped, minus, shaped, use_counts)
from expo_funnel.selection import Selection


@dataclass
class ManagerRow:
    manager_id: int | None
    name: str
    worked: int
    closed: int
    won: int
    won_amount: Decimal
    expected_amount: Decimal
    avg_cycle_days: Decimal | None

    @property
    def conversion_count(self) -> Decimal | None:
        return rate(self.won, self.closed)

    @property
    def conversion_financial(self) -> Decimal | None:
        return rate(self.won_amount, self.expected_amount)


@dataclass
class Cell:
    manager_id: int | None
    step: str
    counts: StepCounts
    flagged: bool = False
    z: float | None = None


@dataclass(frozen=True)
class Test:
    """The stated test: level (per cent), its critical z, the minimum sample on each side."""
    level: int
    min_sample: int

    @property
    def critical_z(self) -> float:
        return NormalDist().inv_cdf(1 - self.level / 100)

    @classmethod
    def from_settings(cls) -> "Test":
        return cls(plugin_setting("FUNNEL_SIGNIFICANCE", 5), plugin_setting("FUNNEL_MIN_SAMPLE", 10))


def managers(sel: Selection) -> list[ManagerRow]:
    """One row per manager with engagements in the selection (unassigned ones as one row), by name."""
    dialect = db_session().get_bind().dialect.name
    closed = Engagement.closed_at.is_not(None)

    def from_log(deleted=False):
        return grouped(select(Engagement.manager_id, *conversion_sums(), func.count().filter(closed),
                              func.coalesce(func.sum(cycle_days(dialect)).filter(closed), 0))
                       .where(*engagement_conditions(sel, deleted)).group_by(Engagement.manager_id), values=6)

    if use_counts(sel):
        statement, parameters = shaped(_manager_totals, sel)
        counted = minus(grouped(statement, values=6, parameters=parameters),
                        from_log(deleted=True) if any_deleted() else {})
    else:
        counted = from_log()
    names = _names(list(counted))
    found = [ManagerRow(manager_id, names.get(manager_id, "—"), worked, closed_n or 0, won, Decimal(amount),
                        Decimal(expected),
                        (Decimal(str(days)) / closed_n).quantize(Decimal("0.1")) if closed_n else None)
             for manager_id, (worked, won, amount, expected, closed_n, days) in counted.items() if worked]
    return sorted(found, key=lambda r: (r.manager_id is None, r.name.casefold()))


def _manager_totals(keys):
    return (select(MonthCount.manager_id, *cached_conversion_sums(),
                   func.coalesce(func.sum(MonthCount.engagements).filter(MonthCount.month.is_not(None)), 0),
                   func.coalesce(func.sum(MonthCount.cycle_days), 0))
            .where(*keys(MonthCount)).group_by(MonthCount.manager_id))


def _names(ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db_session().execute(select(models.User.id, models.User.name).where(models.User.id.in_(ids))).all())


def matrix(sel: Selection, test: Test) -> tuple[list[tuple[str, str]], dict[tuple[int | None, str], Cell]]:
    """The steps (key, title) and the cells ``{(manager_id, step): Cell}`` with their flags."""
    titles = step_titles(sel)
    cells: dict[tuple[int | None, str], Cell] = {}
    team: dict[str, StepCounts] = {}
    for attribute, counted in _matrix_counts(sel):
        for (manager_id, step), number in counted.items():
            cell = cells.setdefault((manager_id, step), Cell(manager_id, step, StepCounts(step, step)))
            setattr(cell.counts, attribute, number)
            total = team.setdefault(step, StepCounts(step, step))
            setattr(total, attribute, getattr(total, attribute) + number)
    for cell in cells.values():
        rest = team[cell.step]
        cell.z = z_score(cell.counts.dropped, cell.counts.decided,
                         rest.dropped - cell.counts.dropped, rest.decided - cell.counts.decided)
        cell.flagged = (cell.z is not None and cell.counts.decided >= test.min_sample
                        and rest.decided - cell.counts.decided >= test.min_sample and cell.z >= test.critical_z)
    known = {key for key, _title in titles}
    titles += [(step, step) for step in sorted({step for _m, step in cells} - known)]
    order = {key: i for i, (key, _title) in enumerate(titles)}  # the same order whichever source counted
    return titles, dict(sorted(cells.items(), key=lambda item: (item[0][0] is None, item[0][0] or 0, order[item[0][1]])))


def _matrix_counts(sel: Selection) -> list[tuple[str, dict]]:
    """``[(attribute, {(manager id, step): number})]`` for entered, dropped and in progress: from
    the count tables in two statements built once (entered and in progress are columns of the same
    rows), else from the log."""
    by = (StepLog.manager_id, StepLog.step)
    if not use_counts(sel) or any_deleted():
        return [(attribute, count_rows(sel, rows, *by))
                for attribute, rows in (("entered", ENTRIES), ("dropped", DROPS), ("in_progress", CURRENT))]
    statement, parameters = shaped(_manager_step_totals, sel)
    both = grouped(statement, values=2, parameters=parameters)
    statement, parameters = shaped(_manager_step_drops, sel)
    return [("entered", {key: n for key, (n, _) in both.items() if n}),
            ("dropped", {key: n for key, n in grouped(statement, parameters=parameters).items() if n}),
            ("in_progress", {key: n for key, (_, n) in both.items() if n})]


def _manager_step_totals(keys):
    return (select(StepCount.manager_id, StepCount.step, func.sum(StepCount.entered), func.sum(StepCount.in_progress))
            .where(*keys(StepCount)).group_by(StepCount.manager_id, StepCount.step))


def _manager_step_drops(keys):
    return (select(ResultCount.manager_id, ResultCount.step, func.sum(ResultCount.count))
            .where(*keys(ResultCount), ResultCount.result_kind.in_(DROPPED))
            .group_by(ResultCount.manager_id, ResultCount.step))


def z_score(dropped: int, decided: int, others_dropped: int, others_decided: int) -> float | None:
    """How many standard errors the first drop rate lies above the second (pooled two-proportion
    z statistic); None when either side decided nothing or nobody (or everybody) dropped."""
    if not decided or not others_decided:
        return None
    pooled = (dropped + others_dropped) / (decided + others_decided)
    spread = sqrt(pooled * (1 - pooled) * (1 / decided + 1 / others_decided))
    if spread == 0:
        return None
    return (dropped / decided - others_dropped / others_decided) / spread
