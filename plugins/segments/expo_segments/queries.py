"""The segments' numbers, each one SQL statement with window functions (never a Python loop over
clients): purchases, ABC/XYZ, ABCDE, categories, reactivation, birthdays.

A *purchase* is a won engagement (its contract amount, on the day it closed) or an imported sale.
ABC ranks clients by revenue: A while the running share (the client included) is at most 80 %,
B at most 95 %, C the rest. XYZ looks at the coefficient of variation of monthly revenue over
every month of the period (months without purchases count as 0): X ≤ 10 %, Y ≤ 25 %, Z above.
Since CV² = M·Σr² / (Σr)² − 1, the test needs no square root (SQLite has none).
ABCDE ranks by margin (where sales record it) with the ABC shares: E is a negative margin, D a
client with no positive margin but open engagements (its potential).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Numeric, and_, case, exists, func, literal, null, select, union_all

from expo.hooks import (ValidationError, db_session, fields, models, not_deleted, plugin_setting, scope_clients,
                        today)
from expo_segments.models import ClientClass
from expo_segments.sql import day_of, days_between, month_day, month_of

ABC = ("A", "B", "C")
XYZ = ("X", "Y", "Z")
ABCDE = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class Thresholds:
    a: Decimal
    b: Decimal
    x: Decimal
    y: Decimal

    @classmethod
    def from_settings(cls) -> "Thresholds":
        percent = lambda name, default: Decimal(plugin_setting(name, default)) / 100  # noqa: E731
        return cls(percent("SEGMENTS_ABC_A", 80), percent("SEGMENTS_ABC_B", 95),
                   percent("SEGMENTS_XYZ_X", 10), percent("SEGMENTS_XYZ_Y", 25))


@dataclass(frozen=True)
class Period:
    """Whole months ``first`` … ``last`` (``YYYY-MM``)."""

    first: str
    last: str

    @property
    def start(self) -> date:
        return date(int(self.first[:4]), int(self.first[5:]), 1)

    @property
    def end(self) -> date:  # the day after the last month
        year, month = int(self.last[:4]), int(self.last[5:])
        return date(year + month // 12, month % 12 + 1, 1)

    @property
    def months(self) -> int:
        return (int(self.last[:4]) - int(self.first[:4])) * 12 + int(self.last[5:]) - int(self.first[5:]) + 1

    @classmethod
    def ending(cls, last: str, months: int) -> "Period":
        year, month = int(last[:4]), int(last[5:])
        index = year * 12 + month - 1 - (months - 1)
        return cls(f"{index // 12:04d}-{index % 12 + 1:02d}", last)

    @classmethod
    def standard(cls) -> "Period":
        """The last ``SEGMENTS_WINDOW_MONTHS`` whole months (default 12), ending last month."""
        first_of_month = today().replace(day=1)
        last = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
        return cls.ending(last, plugin_setting("SEGMENTS_WINDOW_MONTHS", 12))

    @classmethod
    def from_args(cls, args) -> "Period":
        """``period_from`` / ``period_to`` (``YYYY-MM``), each defaulting to the standard window's."""
        standard = cls.standard()
        rule = {"period_from": fields.period(), "period_to": fields.period()}
        given = {k: args.get(k) for k in rule if args.get(k)}
        values = {k: value for k, value in fields.clean(rule, given).items() if value}  # blank: the default
        period = cls(values.get("period_from", standard.first), values.get("period_to", standard.last))
        if period.first > period.last or period.months > 120:
            raise ValidationError(fields={"period_to": str(_l("The period runs forward, 120 months at most."))})
        return period


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def purchases(start: date | None = None, end: date | None = None):
    """(client_id, day, amount, margin) of every purchase of clients not deleted, in [start, end)."""
    Sale, Engagement = models.Sale, models.Engagement
    sales = select(Sale.client_id, Sale.sold_on.label("day"), Sale.amount.label("amount"),
                   Sale.margin.label("margin")).where(not_deleted(Sale.client_id))
    won = select(Engagement.client_id, day_of(Engagement.closed_at).label("day"),
                 Engagement.contract_amount.label("amount"), null().cast(Numeric(14, 2)).label("margin")) \
        .where(Engagement.state == "won", Engagement.contract_amount.is_not(None), not_deleted(Engagement.client_id))
    if start is not None:
        sales = sales.where(Sale.sold_on >= start, Sale.sold_on < end)
        won = won.where(Engagement.closed_at >= _utc(start), Engagement.closed_at < _utc(end))
    return union_all(sales, won).subquery("purchases")


def classified(period: Period, thresholds: Thresholds):
    """(client_id, revenue, abc, xyz) of every client with revenue in the period."""
    bought = purchases(period.start, period.end)
    monthly = select(bought.c.client_id, month_of(bought.c.day).label("month"),
                     func.sum(bought.c.amount).label("revenue")) \
        .group_by(bought.c.client_id, month_of(bought.c.day)).subquery("monthly")
    per_client = select(monthly.c.client_id, func.sum(monthly.c.revenue).label("s"),
                        func.sum(monthly.c.revenue * monthly.c.revenue).label("q")) \
        .group_by(monthly.c.client_id).having(func.sum(monthly.c.revenue) > 0).subquery("per_client")
    ranked = select(per_client.c.client_id, per_client.c.s, per_client.c.q,
                    func.sum(per_client.c.s).over(order_by=(per_client.c.s.desc(), per_client.c.client_id))
                    .label("running"), func.sum(per_client.c.s).over().label("total")).subquery("ranked")
    t, months, square = thresholds, literal(period.months), ranked.c.s * ranked.c.s
    abc = case((ranked.c.running <= t.a * ranked.c.total, "A"), (ranked.c.running <= t.b * ranked.c.total, "B"),
               else_="C")
    xyz = case((months * ranked.c.q <= (1 + t.x * t.x) * square, "X"),
               (months * ranked.c.q <= (1 + t.y * t.y) * square, "Y"), else_="Z")
    return select(ranked.c.client_id, ranked.c.s.label("revenue"), abc.label("abc"), xyz.label("xyz")) \
        .subquery("classified")


def abcde_classified(period: Period, thresholds: Thresholds):
    """(client_id, abcde) of clients with margin recorded in the period, or open engagements."""
    bought = purchases(period.start, period.end)
    margins = select(bought.c.client_id, func.sum(bought.c.margin).label("m")) \
        .where(bought.c.margin.is_not(None)).group_by(bought.c.client_id).subquery("margins")
    ranked = select(margins.c.client_id, margins.c.m,
                    func.sum(case((margins.c.m > 0, margins.c.m), else_=0))
                    .over(order_by=(margins.c.m.desc(), margins.c.client_id)).label("running"),
                    func.sum(case((margins.c.m > 0, margins.c.m), else_=0)).over().label("total")) \
        .subquery("margin_ranked")
    t = thresholds
    by_margin = select(ranked.c.client_id, case(
        (ranked.c.m < 0, "E"), (ranked.c.m == 0, "D"), (ranked.c.running <= t.a * ranked.c.total, "A"),
        (ranked.c.running <= t.b * ranked.c.total, "B"), else_="C").label("abcde"))
    Engagement = models.Engagement
    potential = select(Engagement.client_id, literal("D").label("abcde")) \
        .where(Engagement.state == "open", Engagement.expected_amount > 0, not_deleted(Engagement.client_id),
               Engagement.client_id.not_in(select(margins.c.client_id))).group_by(Engagement.client_id)
    return union_all(by_margin, potential).subquery("abcde")


def uses_stored_classes(period: Period) -> bool:
    """Whether the classes of ``period`` are read from ``segments_client_classes``: for the standard
    window, once the nightly job (or an import) has filled it. Computing them takes seconds at
    85 000 clients (docs/performance.md); the stored ones, a few milliseconds."""
    return period == Period.standard() and bool(
        db_session().scalar(select(exists().where(ClientClass.abc.is_not(None)))))


def _classes(period: Period, thresholds: Thresholds):
    """(client_id, revenue, abc, xyz): stored for the standard window, else computed now."""
    if uses_stored_classes(period):
        return select(ClientClass.client_id, ClientClass.revenue, ClientClass.abc, ClientClass.xyz) \
            .where(ClientClass.abc.is_not(None)).subquery("classified")
    return classified(period, thresholds)


def _abcde(period: Period, thresholds: Thresholds):
    if uses_stored_classes(period):
        return select(ClientClass.client_id, ClientClass.abcde).where(ClientClass.abcde.is_not(None)) \
            .subquery("abcde")
    return abcde_classified(period, thresholds)


def matrix(user, period: Period, thresholds: Thresholds, where=None) -> dict:
    """The 3×3 ABC/XYZ matrix: per cell the clients (those the user sees, and ``where`` keeps: a
    condition on ``Client``) and their revenue."""
    found = _classes(period, thresholds)
    stmt = scope_clients(select(found.c.abc, found.c.xyz, func.count(), func.sum(found.c.revenue))
                         .join(models.Client, models.Client.id == found.c.client_id), user) \
        .group_by(found.c.abc, found.c.xyz)
    if where is not None:
        stmt = stmt.where(where)
    cells = {(abc, xyz): {"clients": 0, "revenue": Decimal("0.00")} for abc in ABC for xyz in XYZ}
    for abc, xyz, count, revenue in db_session().execute(stmt):
        cells[(abc, xyz)] = {"clients": count, "revenue": Decimal(revenue).quantize(Decimal("0.01"))}
    return cells


def abcde_counts(user, period: Period, thresholds: Thresholds) -> dict[str, int]:
    found = _abcde(period, thresholds)
    stmt = scope_clients(select(found.c.abcde, func.count()).join(models.Client, models.Client.id == found.c.client_id),
                         user).group_by(found.c.abcde)
    counts = dict.fromkeys(ABCDE, 0)
    counts.update(dict(db_session().execute(stmt).all()))
    return counts


def cell_clients(user, period: Period, thresholds: Thresholds, abc: str, xyz: str, limit: int, offset: int):
    """The clients of one matrix cell, biggest revenue first, with the total."""
    found = _classes(period, thresholds)
    base = scope_clients(select(models.Client, found.c.revenue).join(found, found.c.client_id == models.Client.id),
                         user).where(found.c.abc == abc, found.c.xyz == xyz)
    total = db_session().scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db_session().execute(base.order_by(found.c.revenue.desc(), models.Client.id).offset(offset).limit(limit))
    return [(client, revenue) for client, revenue in rows], total


# --- the stored classes: recomputed by the nightly job and for one client on each closing -------


def recompute(client_id: int | None = None) -> None:
    """Rebuild ``segments_client_classes`` (every client, or one: then only its category and
    purchase days; its classes wait for the nightly run, since they depend on everyone's)."""
    session = db_session()
    Client = models.Client
    bought = purchases()
    stats = select(bought.c.client_id, func.min(bought.c.day).label("first"), func.max(bought.c.day).label("last"),
                   func.count(bought.c.day.distinct()).label("days")).group_by(bought.c.client_id)
    if client_id is not None:
        stats = stats.where(bought.c.client_id == client_id)
    stats = stats.subquery("stats")
    cutoff = today() - timedelta(days=30 * plugin_setting("SEGMENTS_ACTIVE_MONTHS", 12))
    category = case((stats.c.last >= cutoff, "active"), (stats.c.last.is_not(None), "lost"), else_="potential")
    columns = [Client.id, category, stats.c.first, stats.c.last, func.coalesce(stats.c.days, 0)]
    names = ["client_id", "category", "first_purchase_on", "last_purchase_on", "purchase_days"]
    query = select(*columns).outerjoin(stats, stats.c.client_id == Client.id).where(Client.deleted_at.is_(None))
    if client_id is None:
        period, thresholds = Period.standard(), Thresholds.from_settings()
        found, margin = classified(period, thresholds), abcde_classified(period, thresholds)
        query = query.add_columns(found.c.abc, found.c.xyz, margin.c.abcde, found.c.revenue) \
            .outerjoin(found, found.c.client_id == Client.id).outerjoin(margin, margin.c.client_id == Client.id)
        names += ["abc", "xyz", "abcde", "revenue"]
        session.execute(ClientClass.__table__.delete())
    else:
        previous = session.get(ClientClass, client_id)
        kept = [getattr(previous, name, None) for name in ("abc", "xyz", "abcde", "revenue")]
        query = query.where(Client.id == client_id).add_columns(
            *[null() if value is None else literal(value) for value in kept])
        names += ["abc", "xyz", "abcde", "revenue"]
        session.execute(ClientClass.__table__.delete().where(ClientClass.client_id == client_id))
    session.execute(ClientClass.__table__.insert().from_select(names, query))


def reactivation(user, limit: int, offset: int = 0, where=None):
    """Clients silent for longer than k × their own average interval between purchases, longest
    overdue first, with their last contact: ``(rows, total)``; a row is a dict. ``where``: a
    further condition on ``Client``."""
    Client, Activity = models.Client, models.Activity
    k = Decimal(str(plugin_setting("SEGMENTS_REACTIVATION_FACTOR", "2")))
    c = ClientClass
    now = today()
    silent = days_between(c.last_purchase_on, literal(now))
    span = days_between(c.first_purchase_on, c.last_purchase_on)
    overdue = and_(c.purchase_days >= 2, silent * (c.purchase_days - 1) > k * span)
    last_activity = select(func.max(Activity.occurred_at)).where(Activity.client_id == Client.id) \
        .correlate(Client).scalar_subquery()
    base = scope_clients(select(Client, c.last_purchase_on, silent.label("silent"),
                                (span / (c.purchase_days - 1)).label("interval"), last_activity.label("contacted"))
                         .join(c, c.client_id == Client.id), user).where(overdue)
    if where is not None:
        base = base.where(where)
    total = db_session().scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db_session().execute(base.order_by((silent * (c.purchase_days - 1) - span).desc(), Client.id)
                                .offset(offset).limit(limit))
    return [{"client": r[0], "last_purchase_on": r[1], "silent_days": r[2], "interval_days": int(r[3]),
             "last_contact": r[4]} for r in rows], total


def birthdays(user, days: int = 7):
    """Contacts (of clients the user sees) whose birthday falls today or in the next ``days - 1`` days."""
    Contact, Client = models.Contact, models.Client
    start = today()
    dates = [start + timedelta(days=i) for i in range(days)]
    wanted = {d.strftime("%m-%d") for d in dates}
    if "03-01" in wanted and not _leap(start.year if start.month <= 3 else start.year + 1):
        wanted.add("02-29")  # born on 29 February: greeted on 1 March in other years
    order = {d.strftime("%m-%d"): i for i, d in enumerate(dates)} | {"02-29": next(
        (i for i, d in enumerate(dates) if d.strftime("%m-%d") == "03-01"), 0)}
    stmt = scope_clients(select(Contact, Client.name).join(Client, Client.id == Contact.client_id), user) \
        .where(Contact.birthday.is_not(None), month_day(Contact.birthday).in_(wanted))
    found = [(contact, name) for contact, name in db_session().execute(stmt.limit(200))]
    return sorted(found, key=lambda pair: (order[pair[0].birthday.strftime("%m-%d")], pair[0].name))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
