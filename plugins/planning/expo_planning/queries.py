"""Plan vs fact, the planning error and its trend, the realisation ratio and the period plan — SQL
aggregates over the budgets (which carry their engagements' key, state and contract amount), a
constant number of statements.

Money is summed as whole kopecks (``round(amount × 100)`` as a big integer), so the sums are
exact on SQLite, which keeps NUMERIC as floating point, as on PostgreSQL; Python turns them back
into ``Decimal`` with two places. Engagements of clients in the deletion grace period count
nowhere, as in the core's lists.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, and_, case, exists, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from expo.hooks import ValidationError, db_session, fields, models, not_deleted
from expo_planning.models import Budget, Month, Period

Engagement = models.Engagement
CENT, RATIO = Decimal("0.01"), Decimal("0.0001")
DROPPED = ("lost", "declined")


class kopecks(FunctionElement):
    """Σ ``expression`` in whole kopecks, exact on every database: PostgreSQL sums NUMERIC exactly;
    SQLite keeps NUMERIC as floating point, so there each amount is rounded to kopecks first."""
    inherit_cache = True
    type = BigInteger()

    def __init__(self, expression):
        super().__init__(expression)


@compiles(kopecks)
def _kopecks_anywhere(element, compiler, **kw):
    return f"coalesce(sum(CAST(round(({compiler.process(element.clauses, **kw)}) * 100) AS BIGINT)), 0)"


@compiles(kopecks, "postgresql")
def _kopecks_postgresql(element, compiler, **kw):
    return f"coalesce(sum({compiler.process(element.clauses, **kw)}), 0) * 100"


def rubles(kopeck_sum) -> Decimal:
    return (Decimal(int(kopeck_sum)) / 100).quantize(CENT)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if not denominator else (numerator / denominator).quantize(RATIO, ROUND_HALF_UP)


# --- periods: a month YYYY-MM, a quarter YYYY-Qn, a year YYYY -----------------------------------


@dataclass(frozen=True)
class Span:
    """Consecutive months, ``first``..``last`` (``YYYY-MM``), as asked for: ``name``."""
    name: str
    first: str
    last: str

    @property
    def months(self) -> list[str]:
        found, month = [], self.first
        while month <= self.last:
            found.append(month)
            month = shift(month, 1)
        return found


def shift(month: str, by: int) -> str:
    """The month ``by`` months after ``month`` (before, when negative)."""
    index = int(month[:4]) * 12 + int(month[5:]) - 1 + by
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def parse_span(text: str | None, field_name: str = "period") -> Span:
    """``2026-09``, ``2026-Q3`` or ``2026``; anything else is a clear error."""
    value = text or ""
    problem = ValidationError(fields={field_name: str(_l("A period is a month (YYYY-MM), a quarter (YYYY-Q1…Q4) or a year (YYYY)."))})
    if value != value.strip():  # as written: " 2026-09" is a typo, not September
        raise problem
    if len(value) == 4 and value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return Span(value, f"{value}-01", f"{value}-12")
    if len(value) == 7 and value[4:6] in ("-Q", "-q") and value[6:] in "1234" and value[:4].isascii() \
            and value[:4].isdigit() and 2000 <= int(value[:4]) <= 2100:
        quarter = int(value[6])
        return Span(value.upper(), f"{value[:4]}-{quarter * 3 - 2:02d}", f"{value[:4]}-{quarter * 3:02d}")
    try:
        month = fields.clean({field_name: fields.period(required=True)}, {field_name: value})[field_name]
    except ValidationError:
        raise problem from None
    return Span(month, month, month)


# --- plan vs fact ------------------------------------------------------------------------------


@dataclass
class Scope:
    """Which budgets: a span of months, optionally one manager's, one exhibition's."""
    span: Span
    manager_id: int | None = None
    exhibition_id: int | None = None

    @property
    def whole_firm(self) -> bool:
        return not (self.manager_id or self.exhibition_id)

    def conditions(self) -> list:
        found = [Budget.period >= self.span.first, Budget.period <= self.span.last, not_deleted(Budget.client_id)]
        if self.manager_id:
            found.append(Budget.manager_id == self.manager_id)
        if self.exhibition_id:
            found.append(Budget.exhibition_id == self.exhibition_id)
        return found


@dataclass
class Fact:
    """Plan vs fact of some budgets: sums, how many engagements and clients, the errors."""
    planned: Decimal = Decimal("0.00")
    refined: Decimal = Decimal("0.00")
    actual: Decimal = Decimal("0.00")
    lost: Decimal = Decimal("0.00")
    open_refined: Decimal = Decimal("0.00")  # Σ current refined of the engagements still open
    engagements: int = 0
    clients: int = 0
    won: int = 0
    dropped: int = 0
    open: int = 0

    @property
    def error(self) -> Decimal | None:
        """(planned − actual) ÷ planned."""
        return ratio(self.planned - self.actual, self.planned)

    @property
    def refined_error(self) -> Decimal | None:
        """(refined − actual) ÷ refined: how far the estimate at the end of negotiation was."""
        return ratio(self.refined - self.actual, self.refined)

    @property
    def settled(self) -> bool:
        """Every engagement behind it has closed (its error is final)."""
        return self.engagements > 0 and self.open == 0


def _measures(clients: bool = True):
    """The sums and counts of a Fact; ``clients`` off counts engagements in their place (a
    distinct count sorts every row: the trend and the basis do not show it)."""
    state = Budget.state
    return (kopecks(Budget.planned), kopecks(func.coalesce(Budget.refined, Budget.planned)),
            kopecks(Budget.actual),
            kopecks(case((state.in_(DROPPED), Budget.planned))),
            kopecks(case((state == "open", func.coalesce(Budget.refined, Budget.planned)))),
            func.count(), func.count(func.distinct(Budget.client_id)) if clients else func.count(),
            func.count(case((state == "won", 1))), func.count(case((state.in_(DROPPED), 1))),
            func.count(case((state == "open", 1))))


def _fact(row) -> Fact:
    return Fact(*(rubles(value) for value in row[:5]), *(int(value) for value in row[5:]))


def _budgets(*columns):
    return select(*columns).select_from(Budget)


def totals(scope: Scope, clients: bool = True) -> Fact:
    """Plan vs fact of the scope, in one statement."""
    return _fact(db_session().execute(_budgets(*_measures(clients)).where(*scope.conditions())).one())


def grouped(scope: Scope, by, clients: bool = True) -> list[tuple[object, Fact]]:
    """Plan vs fact of the scope per value of ``by`` (a column), in one statement."""
    rows = db_session().execute(_budgets(by, *_measures(clients)).where(*scope.conditions()).group_by(by).order_by(by))
    return [(row[0], _fact(row[1:])) for row in rows]


def by_manager(scope: Scope) -> list[tuple[int | None, str, Fact]]:
    names = _names(models.User)
    return [(key, names.get(key, ""), fact) for key, fact in grouped(scope, Budget.manager_id)]


def by_exhibition(scope: Scope) -> list[tuple[int, str, Fact]]:
    names = _names(models.Exhibition)
    return [(key, names.get(key, ""), fact) for key, fact in grouped(scope, Budget.exhibition_id)]


def _names(model) -> dict:
    return dict(db_session().execute(select(model.id, model.name)).all())


@dataclass
class Trend:
    """The planning error of the last periods, oldest first, with its mean and spread."""
    points: list[tuple[str, Fact]] = field(default_factory=list)

    @property
    def errors(self) -> list[Decimal]:
        return [fact.error for _, fact in self.points if fact.error is not None]

    @property
    def mean(self) -> Decimal | None:
        return Decimal(statistics.fmean(self.errors)).quantize(RATIO) if self.errors else None

    @property
    def stdev(self) -> Decimal | None:
        return Decimal(statistics.pstdev(self.errors)).quantize(RATIO) if len(self.errors) > 1 else None


def trend(last: str, scope: Scope, periods: int = 12) -> Trend:
    """The error per month over the ``periods`` months ending with ``last`` (months with nothing
    planned left out), in one statement."""
    months = Scope(Span(f"{shift(last, 1 - periods)}..{last}", shift(last, 1 - periods), last),
                   scope.manager_id, scope.exhibition_id)
    return Trend(firm_months(months.span) if _months_answer(months)
                 else grouped(months, Budget.period, clients=False))


def _months_answer(scope: Scope) -> bool:
    """Whether ``planning_months`` can answer for ``scope``: the whole firm, and no client in the
    deletion grace period has budgets (the table counts them until the purge; the budgets' own
    sums leave them out at once)."""
    if not scope.whole_firm:
        return False
    deleted = exists().where(Budget.client_id == models.Client.id, models.Client.deleted_at.is_not(None))
    return not db_session().scalar(select(deleted))


def firm_months(span: Span) -> list[tuple[str, Fact]]:
    """The whole firm's plan vs fact per month of ``span``, from ``planning_months``."""
    rows = db_session().scalars(select(Month).where(Month.period >= span.first, Month.period <= span.last)
                                .order_by(Month.period))
    return [(row.period, Fact(rubles(row.planned), rubles(row.refined), rubles(row.actual), rubles(row.lost),
                              rubles(row.open_refined), row.engagements, row.engagements, row.won, row.dropped,
                              row.open)) for row in rows]


# --- corrected planning ------------------------------------------------------------------------


@dataclass
class Recommendation:
    target: Decimal
    realisation_ratio: Decimal
    plan: Decimal
    basis: list[tuple[str, Fact]]

    @property
    def naive_plan(self) -> Decimal:
        """The seed's rule, target × (1 + mean error) — what it would plan."""
        return (self.target * (2 - self.realisation_ratio)).quantize(CENT, ROUND_HALF_UP)

    @property
    def naive_yield(self) -> Decimal:
        """What that plan brings at the realisation ratio: less than the target."""
        return (self.naive_plan * self.realisation_ratio).quantize(CENT, ROUND_HALF_UP)


def basis_periods(before: str, scope: Scope | None = None) -> list[tuple[str, Fact]]:
    """The months before ``before`` that have planned engagements, all of them closed."""
    every = Scope(Span(f"..{shift(before, -1)}", "2000-01", shift(before, -1)),
                  scope.manager_id if scope else None, scope.exhibition_id if scope else None)
    months = firm_months(every.span) if _months_answer(every) else grouped(every, Budget.period, clients=False)
    return [(month, fact) for month, fact in months if fact.settled]


def _basis_sums(basis: list[tuple[str, Fact]]) -> tuple[Decimal, Decimal]:
    """``(Σ planned, Σ actual)`` over ``basis``; a clear error when it gives no ratio to plan with."""
    if not basis:
        raise ValidationError(fields={"period": str(_l(
            "No basis yet: no earlier period has planned engagements that have all closed."))})
    planned = sum((fact.planned for _, fact in basis), Decimal(0))
    actual = sum((fact.actual for _, fact in basis), Decimal(0))
    if not actual:
        raise ValidationError(fields={"period": str(_l(
            "Nothing planned in the basis periods was won: the realisation ratio is 0, no plan reaches a target."))})
    if not ratio(actual, planned):  # nothing planned (0.00 amounts), or next to nothing of it won
        raise ValidationError(fields={"period": str(_l(
            "The basis periods give no realisation ratio to plan with: nothing planned in them, or next to "
            "nothing of it won (below 0.0001)."))})
    return planned, actual


def realisation(basis: list[tuple[str, Fact]]) -> Decimal:
    """Σ actual ÷ Σ planned over ``basis`` (4 places); a clear error when there is none to learn from."""
    planned, actual = _basis_sums(basis)
    return ratio(actual, planned)


def recommend(period: str, target: Decimal) -> Recommendation:
    """How much to plan for ``period`` so that the actual lands on ``target``: target ÷ ratio,
    computed from the sums themselves (the ratio shown is rounded to 4 places)."""
    basis = basis_periods(period)
    planned, actual = _basis_sums(basis)
    plan = (target * planned / actual).quantize(CENT, ROUND_HALF_UP)
    return Recommendation(target, ratio(actual, planned), plan, basis)


@dataclass
class PeriodPlan:
    """A month's plan: target, plan vs fact, the expected actual and the gap to the target."""
    period: str
    target: Decimal | None
    closed: bool
    fact: Fact
    realisation_ratio: Decimal | None  # None: no basis yet, the open engagements count at face value
    basis: list[tuple[str, Fact]]

    @property
    def expected(self) -> Decimal:
        """Σ actual of the won + Σ current refined of the open × the realisation ratio."""
        rate = self.realisation_ratio if self.realisation_ratio is not None else Decimal(1)
        return (self.fact.actual + self.fact.open_refined * rate).quantize(CENT, ROUND_HALF_UP)

    @property
    def gap(self) -> Decimal | None:
        """How much the expected actual falls short of the target (0 when it is reached)."""
        return None if self.target is None else max(self.target - self.expected, Decimal("0.00"))


def period_plan(period: str, scope: Scope | None = None) -> PeriodPlan:
    scope = scope or Scope(Span(period, period, period))
    stored = db_session().get(Period, period)
    basis = basis_periods(period, scope)
    try:
        rate = realisation(basis)
    except ValidationError:
        rate = None
    return PeriodPlan(period, stored.target if stored else None, bool(stored and stored.closed_at), totals(scope),
                      rate, basis)


def engagement_budget(engagement_id: int):
    """``(budget or None, history oldest first)`` of one engagement, with the authors' names."""
    from expo_planning.models import BudgetChange

    session = db_session()
    history = session.execute(select(BudgetChange, models.User.name).outerjoin(models.User, models.User.id == BudgetChange.user_id)
                              .where(BudgetChange.engagement_id == engagement_id).order_by(BudgetChange.id)).all()
    return session.get(Budget, engagement_id), history


def won_median() -> Decimal:
    """The firm's median won contract amount (0 when nothing was won yet)."""
    session = db_session()
    won = and_(Engagement.state == "won", Engagement.contract_amount.is_not(None))
    n = session.scalar(select(func.count()).where(won)) or 0
    if not n:
        return Decimal("0.00")
    middle = session.scalars(select(Engagement.contract_amount).where(won).order_by(Engagement.contract_amount)
                             .offset((n - 1) // 2).limit(2 - n % 2)).all()
    return (sum(middle, Decimal(0)) / len(middle)).quantize(CENT, ROUND_HALF_UP)
