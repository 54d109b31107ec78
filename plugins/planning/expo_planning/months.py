"""Keeping ``planning_months`` (the firm's plan vs fact per month) in step with the budgets.

Whenever a budget changes — planned, moved to another month, refined, its engagement closed,
reopened, its contract amount changed — the services mark its month, and just before the
transaction commits each marked month is recounted once from its budgets (one grouped statement
read from an index, 38 ms for a month of 67 000 budgets), so a month row can never drift the way
an increment can, and opening fifty replacements recounts their month once, not fifty times. ``recount_all`` redoes every month (the nightly
resync, ``expo planning resync``); a purged client's months are recounted by a job once its
budgets are gone.
"""
from __future__ import annotations

from sqlalchemy import delete, event, select

from expo.hooks import commit, db_session
from expo_planning import queries
from expo_planning.models import Budget, Month

AMOUNTS = ("planned", "refined", "actual", "lost", "open_refined")  # kept in whole kopecks
FIELDS = (*AMOUNTS, "engagements", "won", "dropped", "open")


def _stored(fact, name: str) -> int:
    value = getattr(fact, name)
    return int(value * 100) if name in AMOUNTS else value


PENDING = "planning_months_to_recount"


def recount(*periods: str | None) -> None:
    """Mark ``periods`` (None, a budget that had no month yet, is skipped) to be recounted when
    the transaction commits."""
    session = db_session()
    if not event.contains(session, "before_commit", _recount_marked):
        event.listen(session, "before_commit", _recount_marked)
        event.listen(session, "after_rollback", _forget_marked)
    session.info.setdefault(PENDING, set()).update(p for p in periods if p)


def _forget_marked(session) -> None:
    session.info.pop(PENDING, None)


def _recount_marked(session) -> None:
    for period in sorted(session.info.pop(PENDING, set())):
        recount_now(period)


def recount_now(period: str) -> None:
    """Recount one month from its budgets, here and now."""
    session = db_session()
    session.flush()  # the budgets as the caller left them
    fact = queries.totals(queries.Scope(queries.Span(period, period, period)), clients=False)
    row = session.get(Month, period)
    if not fact.engagements:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = Month(period=period)
        session.add(row)
    for name in FIELDS:
        setattr(row, name, _stored(fact, name))


def recount_all() -> None:
    """Every month again, from every budget (grouped in one statement)."""
    session = db_session()
    session.execute(delete(Month))
    every = queries.Scope(queries.Span("all", "0000-00", "9999-99"))
    for period, fact in queries.grouped(every, Budget.period, clients=False):
        session.add(Month(period=period, **{name: _stored(fact, name) for name in FIELDS}))
    session.flush()


def periods_of_client(client_id: int) -> list[str]:
    return list(db_session().scalars(select(Budget.period).where(Budget.client_id == client_id).distinct()))


def recount_job(periods: list[str]) -> None:
    """The job after a client's purge: its budgets are gone, its months are counted again."""
    for period in periods:
        recount_now(period)
    commit()
