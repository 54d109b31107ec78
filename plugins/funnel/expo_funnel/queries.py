"""The funnel's numbers, each one SQL aggregate over the core's step log or engagements.

The step log carries per row what the funnel counts (docs/decisions/0019-funnel.md):
``first_entry`` (an engagement's first entry into a step, so an engagement counts once per step
however often a loop brings it back), ``closing`` (the row it closed from: *where* it dropped or
won) and ``left_at`` (NULL on the step it is on now). So per step, counting distinct engagements:

- entered      = rows with ``first_entry``
- dropped      = ``closing`` rows whose result is lost or declined
- in progress  = rows not left yet
- passed       = entered − dropped − in progress (left to another step or to a won result)

Each number has two sources giving the same answer: the plugin's count tables (``models``,
summed per scenario version, exhibition and manager, minus the engagements of clients in the
deletion grace period) when no period or client filter is set, else the step log itself through
its partial indexes, read alone on PostgreSQL. Every query here takes a
:class:`~expo_funnel.selection.Selection`.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, g
from sqlalchemy import and_, bindparam, exists, func, literal, select, union_all

from expo.hooks import db_session, models, now, plugin_setting
from expo_funnel.models import MonthCount, ResultCount, StepCount
from expo_funnel.selection import CLIENT_FIELDS, Selection

StepLog, Engagement, Client = models.StepLog, models.Engagement, models.Client
DROPPED = ("lost", "declined")
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


# --- which rows ------------------------------------------------------------------------------


def _deleted_clients_engagements():
    return (select(Engagement.id).join(Client, Client.id == Engagement.client_id)
            .where(Client.deleted_at.is_not(None)))


def engagement_conditions(sel: Selection, deleted: bool = False) -> list:
    """Conditions on ``Engagement`` (with ``Client`` joined when the client filters ask); with
    ``deleted``, the engagements of deleted clients only (what the count tables hold beyond the log's
    answer)."""
    found = [*key_conditions(Engagement, sel),
             Engagement.id.in_(_deleted_clients_engagements()) if deleted
             else Engagement.id.not_in(_deleted_clients_engagements())]
    start, end = sel.opened_between()
    if start:
        found.append(Engagement.opened_at >= start)
    if end:
        found.append(Engagement.opened_at < end)
    clients = [getattr(Client, key) == getattr(sel, key) for key in CLIENT_FIELDS if getattr(sel, key)]
    if sel.client_condition is not None:
        clients.append(sel.client_condition)
    if clients:
        found.append(Engagement.client_id.in_(select(Client.id).where(*clients)))
    return found


def log_conditions(sel: Selection, deleted: bool = False) -> list:
    """Conditions on ``StepLog``: the denormalised columns first (what the indexes serve); the
    engagement's own filters only when asked for. ``deleted`` as for ``engagement_conditions``."""
    found = key_conditions(StepLog, sel)
    if sel.narrows_engagements:
        # The engagements' own conditions leave the deleted clients out (or keep only them): the log
        # must not test it again, or PostgreSQL, costing that test on every probe, scans the whole
        # scenario's log instead of reading those engagements' rows (ix_step_log_engagement).
        found.append(StepLog.engagement_id.in_(select(Engagement.id).where(*engagement_conditions(sel, deleted))))
    else:
        found.append(StepLog.engagement_id.in_(_deleted_clients_engagements()) if deleted
                     else StepLog.engagement_id.not_in(_deleted_clients_engagements()))
    return found


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
    for kind, key, title in db_session().execute(_titles_statement(), {"versions": list(sel.version_ids)}):
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


# The three kinds of rows the funnel counts, each read from its own partial index of the step log.
ENTRIES = StepLog.first_entry
CURRENT = StepLog.left_at.is_(None)
DROPS = and_(StepLog.closing, StepLog.result_kind.in_(DROPPED))


def use_counts(sel: Selection) -> bool:
    """Whether the count tables can answer: not when a period or client filter needs the log."""
    return not sel.narrows_engagements and plugin_setting("FUNNEL_COUNTS", True)


def grouped(statement, values: int = 1, parameters: dict | None = None) -> dict:
    """``{group: value(s)}`` of a statement selecting the group's columns, then ``values`` numbers."""
    found = {}
    for row in db_session().execute(statement, parameters):
        group = tuple(row[:-values]) if len(row) - values > 1 else row[0]
        found[group] = row[-1] if values == 1 else tuple(row[-values:])
    return found


def any_deleted() -> bool:
    """Whether some client waits in the deletion grace period (asked once per request): only then
    do the count tables' numbers need the deleted clients' share taken off."""
    if "funnel_any_deleted" not in g:
        g.funnel_any_deleted = db_session().scalar(_ANY_DELETED)
    return g.funnel_any_deleted


def note_any_deleted(found: bool) -> None:
    """What ``any_deleted`` answers in this request, from a page that asked in a statement of its own."""
    g.funnel_any_deleted = found


_ANY_DELETED = select(exists().where(Client.deleted_at.is_not(None)))
_SHAPED: dict = {}


def shaped(make, sel: Selection) -> tuple:
    """``(statement, parameters)``: ``make(keys)`` — a statement over a count table, given ``keys(table)``,
    the selection's versions, exhibition and manager as conditions with bound parameters — built
    once per shape of selection (whether it names an exhibition, a manager), and the values that
    bind it to ``sel``. Building the funnel's statements anew took longer than running them on a
    page of one exhibition (docs/performance.md)."""
    shape = (make, bool(sel.exhibition_id), bool(sel.manager_id))
    statement = _SHAPED.get(shape)
    if statement is None:
        def keys(table) -> list:
            found = [table.scenario_id.in_(bindparam("versions", expanding=True))]
            if shape[1]:
                found.append(table.exhibition_id == bindparam("exhibition_id"))
            if shape[2]:
                found.append(table.manager_id == bindparam("manager_id"))
            return found
        statement = _SHAPED[shape] = make(keys)
    return statement, {"versions": list(sel.version_ids), "exhibition_id": sel.exhibition_id,
                       "manager_id": sel.manager_id}


def minus(totals: dict, deleted: dict) -> dict:
    """The count tables' numbers without the deleted clients' engagements (the log leaves them out)."""
    if not deleted:
        return totals
    found = dict(totals)
    for group, value in deleted.items():
        if group in found:  # (not there: the tables are behind the log; the nightly rebuild catches up)
            found[group] = (_less(found[group], value) if not isinstance(value, tuple)
                            else tuple(_less(a, b) for a, b in zip(found[group], value)))
    return found


def _less(a, b):
    """``a − b``; days are floats in the tables and numeric in PostgreSQL's own arithmetic."""
    return float(a) - float(b) if isinstance(a, float) or isinstance(b, float) else a - b


def count_rows(sel: Selection, rows, *by) -> dict:
    """``{group: count}`` of the selection's step-log ``rows`` (ENTRIES, CURRENT, DROPS) grouped
    ``by`` step-log columns: from the count tables when they can answer, else from the log."""
    def from_log(deleted=False):
        return grouped(select(*by, func.count()).where(*log_conditions(sel, deleted), rows).group_by(*by))

    if not use_counts(sel):
        return from_log()
    table, number = (ResultCount, func.sum(ResultCount.count)) if rows is DROPS else \
        (StepCount, func.sum(StepCount.entered if rows is ENTRIES else StepCount.in_progress))
    columns = [getattr(table, column.key) for column in by]
    extra = [ResultCount.result_kind.in_(DROPPED)] if rows is DROPS else []
    totals = grouped(select(*columns, number).where(*key_conditions(table, sel), *extra).group_by(*columns))
    return {group: n for group, n in minus(totals, from_log(deleted=True) if any_deleted() else {}).items() if n}


def key_conditions(table, sel: Selection) -> list:
    """The selection's scenario versions, exhibition and manager as conditions on ``table`` — the
    step log, engagements or a count table: each carries the three columns."""
    found = [table.scenario_id.in_(sel.version_ids)]
    if sel.exhibition_id:
        found.append(table.exhibition_id == sel.exhibition_id)
    if sel.manager_id:
        found.append(table.manager_id == sel.manager_id)
    return found


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

    @property
    def closed(self) -> int:
        return sum(r.count for r in self.results)

    @property
    def dropped(self) -> int:
        return sum(r.count for r in self.reasons)

    @property
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
