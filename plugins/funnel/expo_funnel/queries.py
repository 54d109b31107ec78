"""The funnel's numbers, each one SQL aggregate over the core's step log or engagements.

The step log carries per row what the funnel counts (docs/decisions/0019-funnel.md):
``first_entry`` (an engagement's first entry into a step, so an engagement counts once per step
however often a loop brings it back), ``closing`` (the row it closed from: *where* it dropped or
won) and ``left_at`` (NULL on the step it is on now). So per step, counting distinct engagements:

- entered      = rows with ``first_entry``
- dropped      = ``closing`` rows whose result is lost or declined
- in progress  = rows not left yet
- passed       = entered − dropped − in progress (left to another step or to a won result)

Each number has two sources giving the same answer, the count tables and the step log
(``expo_funnel.sources``). Every query here takes a :class:`~expo_funnel.selection.Selection`.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property
from zoneinfo import ZoneInfo

from flask import current_app, g
from sqlalchemy import bindparam, func, literal, select, union_all

from expo.hooks import db_rows, db_session, models, now, plugin_setting
from expo_funnel.models import MonthCount, ResultCount, StepCount
from expo_funnel.selection import Selection
from expo_funnel.sources import (CURRENT, DROPPED, DROPS, ENTRIES, Engagement, StepLog, any_deleted, count_rows,
                                 engagement_conditions, grouped, log_conditions, minus, shaped, use_counts)

RATE = Decimal("0.0001")


def rate(part, whole) -> Decimal | None:
    """``part / whole`` to 4 places (half up), None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(RATE, ROUND_HALF_UP)


@dataclass
class StepCounts:
    key: str
    title: str
    entered: int = 0
    dropped: int = 0
    in_progress: int = 0

    @property
    def passed(self) -> int:
        return self.entered - self.dropped - self.in_progress

    @property
    def decided(self) -> int:
        return self.entered - self.in_progress

    @property
    def drop_rate(self) -> Decimal | None:
        return rate(self.dropped, self.decided)


# --- the funnel ------------------------------------------------------------------------------


def step_titles(sel: Selection) -> list[tuple[str, str]]:
    """``(key, title)`` of every step of the counted versions: the newest version's order, then
    steps only older versions had (by their position there)."""
    return _titles(sel)[0]


def result_titles(sel: Selection) -> dict[str, str]:
    """``{key: title}`` of the counted versions' results (the newest version's title)."""
    return _titles(sel)[1]


def _titles(sel: Selection) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """The steps' and the results' titles of the selection's versions, in one statement, once per
    selection and request (the funnel, its tables and the managers' matrix all ask)."""
    cache = g.setdefault("funnel_titles", {})  # by identity, as the drill-down links' prefix
    found = cache.get(id(sel))
    if found is not None and found[0] is sel:
        return found[1]
    steps: dict[str, str] = {}
    results: dict[str, str] = {}
    for kind, key, title in db_rows(_titles_statement(), {"versions": list(sel.version_ids)}):
        (steps if kind == "step" else results).setdefault(key, title)
    titles = (list(steps.items()), results)
    cache[id(sel)] = (sel, titles)
    return titles


@cache
def _titles_statement():
    Step, Result, Scenario = models.ScenarioStep, models.ScenarioResult, models.Scenario
    versions = bindparam("versions", expanding=True)
    both = union_all(
        select(literal("step").label("kind"), Step.key, Step.title, Step.position, Scenario.version)
        .join(Scenario, Scenario.id == Step.scenario_id).where(Step.scenario_id.in_(versions)),
        select(literal("result"), Result.key, Result.title, Result.position, Scenario.version)
        .join(Scenario, Scenario.id == Result.scenario_id).where(Result.scenario_id.in_(versions)),
    ).subquery()
    return select(both.c.kind, both.c.key, both.c.title).order_by(both.c.version.desc(), both.c.position)


def steps(sel: Selection, results_at_steps: list["ResultCounts"] | None = None) -> list[StepCounts]:
    """Per step, in scenario order: entered, dropped, in progress (and so passed, drop rate). The
    drops come from ``results_at_steps`` when the caller has them (one statement fewer)."""
    found = {key: StepCounts(key, title) for key, title in step_titles(sel)}
    if results_at_steps is None:
        dropped = count_rows(sel, DROPS, StepLog.step)
    else:
        dropped = {}
        for r in results_at_steps:
            if r.kind in DROPPED:
                dropped[r.step] = dropped.get(r.step, 0) + r.count
    entered, in_progress = _entered_and_in_progress(sel)
    for attribute, counted in (("entered", entered), ("in_progress", in_progress), ("dropped", dropped)):
        for key, number in counted.items():
            setattr(found.setdefault(key, StepCounts(key, key)), attribute, number)  # a step since removed: its key
    return list(found.values())


def _entered_and_in_progress(sel: Selection) -> tuple[dict, dict]:
    """``({step: entered}, {step: in progress})``; from the step-count table in one statement
    when it can answer (each number is a column of the same rows)."""
    if not use_counts(sel) or any_deleted():
        return count_rows(sel, ENTRIES, StepLog.step), count_rows(sel, CURRENT, StepLog.step)
    statement, parameters = shaped(_step_totals, sel)
    both = grouped(statement, values=2, parameters=parameters)
    return ({step: n for step, (n, _) in both.items() if n}, {step: n for step, (_, n) in both.items() if n})


def _step_totals(keys):
    return (select(StepCount.step, func.sum(StepCount.entered), func.sum(StepCount.in_progress))
            .where(*keys(StepCount)).group_by(StepCount.step))


def weakest_step(counts: list[StepCounts], min_decided: int) -> StepCounts | None:
    """The highest drop rate among steps with at least ``min_decided`` decided engagements."""
    candidates = [c for c in counts if c.decided >= min_decided and c.dropped]
    return max(candidates, key=lambda c: c.drop_rate, default=None)


@dataclass
class ResultCounts:
    key: str
    title: str
    kind: str
    reason: str | None
    step: str | None  # the step it happened at (None: the result's total over steps)
    count: int


def results(sel: Selection) -> list[ResultCounts]:
    """Per result and the step it was reached from: how many engagements (the closing rows)."""
    titles = result_titles(sel)
    by = (StepLog.result, StepLog.result_kind, StepLog.result_reason, StepLog.step)

    def from_log(deleted=False):
        return grouped(select(*by, func.count()).where(*log_conditions(sel, deleted), StepLog.closing).group_by(*by))

    if use_counts(sel):
        statement, parameters = shaped(_result_totals, sel)
        counted = minus(grouped(statement, parameters=parameters), from_log(deleted=True) if any_deleted() else {})
    else:
        counted = from_log()
    return [ResultCounts(key, titles.get(key, key), kind, reason, step, count)
            for (key, kind, reason, step), count in counted.items() if count]


def _result_totals(keys):
    columns = (ResultCount.result, ResultCount.result_kind, ResultCount.result_reason, ResultCount.step)
    return select(*columns, func.sum(ResultCount.count)).where(*keys(ResultCount)).group_by(*columns)


def results_by_key(rows: list[ResultCounts]) -> list[ResultCounts]:
    """The results summed over steps, the most frequent first."""
    totals: dict[str, ResultCounts] = {}
    for row in rows:
        total = totals.setdefault(row.key, ResultCounts(row.key, row.title, row.kind, row.reason, None, 0))
        total.count += row.count
    return sorted(totals.values(), key=lambda r: (-r.count, r.key))


def reasons(rows: list[ResultCounts]) -> list[ResultCounts]:
    """Lost and declined results by reason and step, the most frequent first."""
    return sorted((r for r in rows if r.kind in DROPPED), key=lambda r: (-r.count, r.key, r.step or ""))


# --- conversion ------------------------------------------------------------------------------


@dataclass
class Conversion:
    worked: int = 0
    closed: int = 0
    won: int = 0
    won_amount: Decimal = Decimal("0.00")
    expected_amount: Decimal = Decimal("0.00")  # of every worked engagement
    entered_first: int = 0  # engagements that entered the first step

    @property
    def count(self) -> Decimal | None:  # won / closed
        return rate(self.won, self.closed)

    @property
    def of_entered(self) -> Decimal | None:  # won / entered the first step
        return rate(self.won, self.entered_first)

    @property
    def financial(self) -> Decimal | None:  # Σ contract of won / Σ expected of all worked
        return rate(self.won_amount, self.expected_amount)


def conversion_sums():
    """engagements, won, Σ contract of the won, Σ expected of all (the managers' table adds more)."""
    won = Engagement.state == "won"
    return (func.count(), func.count().filter(won), func.coalesce(func.sum(Engagement.contract_amount).filter(won), 0),
            func.coalesce(func.sum(Engagement.expected_amount), 0))


def cached_conversion_sums():
    """The same sums from ``funnel_month_counts``."""
    return tuple(func.coalesce(func.sum(column), 0) for column in (
        MonthCount.engagements, MonthCount.won, MonthCount.won_amount, MonthCount.expected_amount))


def _month_of(column):
    """The month of a UTC timestamp in the firm's time zone (SQLite: at its current offset), as
    ``YYYY-MM`` text on SQLite and a timestamp on PostgreSQL, whose grouping is far cheaper."""
    zone = current_app.config["TIMEZONE"]
    if db_session().get_bind().dialect.name == "postgresql":  # grouped by the month, formatted after
        return func.date_trunc("month", func.timezone(zone, column))
    offset = now().astimezone(ZoneInfo(zone)).utcoffset()
    return func.strftime("%Y-%m", column, f"{int(offset.total_seconds() // 60):+d} minutes")


@dataclass
class Month:
    month: str | None  # of closing; None: the engagements still open
    engagements: int
    won: int
    won_amount: Decimal
    expected_amount: Decimal  # of these engagements

    @property
    def closed(self) -> int:
        return self.engagements if self.month else 0

    @property
    def count(self) -> Decimal | None:
        return rate(self.won, self.closed)

    @property
    def financial(self) -> Decimal | None:
        return rate(self.won_amount, self.expected_amount)


def by_month_of_closing(sel: Selection) -> list[Month]:
    """The selection's engagements by month of closing (the open ones as month None): one
    statement serves both the conversion and its trend."""
    def from_log(deleted=False):
        month = _month_of(Engagement.closed_at).label("month")
        return grouped(select(month, *conversion_sums()).where(*engagement_conditions(sel, deleted)).group_by(month),
                       values=4)

    if use_counts(sel):
        statement, parameters = shaped(_month_totals, sel)
        counted = minus(grouped(statement, values=4, parameters=parameters),
                        {_month_text(m): v for m, v in from_log(deleted=True).items()} if any_deleted() else {})
    else:
        counted = from_log()
    return [Month(_month_text(m), n, won, Decimal(amount), Decimal(expected))
            for m, (n, won, amount, expected) in counted.items() if n]


def _month_totals(keys):
    return (select(MonthCount.month, *cached_conversion_sums()).where(*keys(MonthCount))
            .group_by(MonthCount.month))


def _month_text(month) -> str | None:
    return month if isinstance(month, str) or month is None else month.strftime("%Y-%m")


def trend(months: list[Month]) -> list[Month]:
    """Conversion by month of closing, oldest first."""
    return sorted((m for m in months if m.month), key=lambda m: m.month)


def conversion(months: list[Month], counts: list[StepCounts]) -> Conversion:
    return Conversion(worked=sum(m.engagements for m in months), closed=sum(m.closed for m in months),
                      won=sum(m.won for m in months), won_amount=sum((m.won_amount for m in months), Decimal("0.00")),
                      expected_amount=sum((m.expected_amount for m in months), Decimal("0.00")),
                      entered_first=counts[0].entered if counts else 0)


# --- the whole funnel, as pages, the API and the report show it --------------------------------


@dataclass
class Funnel:
    selection: Selection
    steps: list[StepCounts]
    weakest: StepCounts | None
    results: list[ResultCounts]  # per result, summed over steps
    reasons: list[ResultCounts]  # lost and declined, per reason and step
    conversion: Conversion
    trend: list[Month]
    min_decided: int

    # cached: the templates ask once per row (each result's share of the closed)
    @cached_property
    def closed(self) -> int:
        return sum(r.count for r in self.results)

    @cached_property
    def dropped(self) -> int:
        return sum(r.count for r in self.reasons)

    @cached_property
    def entered(self) -> int:
        """Entries into any step (none: nothing to chart)."""
        return sum(c.entered for c in self.steps)

    def step_title(self, key: str | None) -> str | None:
        return next((c.title for c in self.steps if c.key == key), key)

    def top_reasons(self, step: str, limit: int = 3) -> list[ResultCounts]:
        return [r for r in self.reasons if r.step == step][:limit]


def funnel(sel: Selection) -> Funnel:
    """Everything the funnel page shows, in six statements whatever the data size."""
    min_decided = plugin_setting("FUNNEL_WEAKEST_MIN_DECIDED", 10)
    by_step = results(sel)
    counts = steps(sel, by_step)
    months = by_month_of_closing(sel)
    return Funnel(sel, counts, weakest_step(counts, min_decided), results_by_key(by_step), reasons(by_step),
                  conversion(months, counts), trend(months), min_decided)
