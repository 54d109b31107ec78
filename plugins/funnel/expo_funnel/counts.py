"""Keeping the count tables (``models``) in step with the step log and engagements.

A key's rows are recomputed from the log whenever one of its engagements changes (the hooks in
``__init__``), in the same transaction: a handful of grouped statements over that key's rows only,
so a count can never drift from the log the way an increment can. ``rebuild`` redoes every key
(the migration that creates the tables, the nightly job, ``expo funnel rebuild``): after a bulk
load, or after a period with the plugin disabled, when no hook saw the changes.

Plain Core statements on any connection or session (the migration has no ORM session).
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import and_, delete, func, insert, literal, select, true

from expo.hooks import models
from expo_funnel.models import MonthCount, ResultCount, StepCount

StepLog, Engagement = models.StepLog, models.Engagement
Key = tuple  # (scenario_id, exhibition_id, manager_id)


def month_of(column, dialect: str, zone: str, at: datetime | None = None):
    """``YYYY-MM`` of a UTC timestamp in the firm's time zone (SQLite: at its offset ``at`` now)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone(zone, column), "YYYY-MM")
    offset = (at or datetime.now(timezone.utc)).astimezone(ZoneInfo(zone)).utcoffset()
    return func.strftime("%Y-%m", column, f"{int(offset.total_seconds() // 60):+d} minutes")


def cycle_days(dialect: str):
    """Days from opening to result of a closed engagement."""
    if dialect == "postgresql":
        return func.extract("epoch", Engagement.closed_at - Engagement.opened_at) / 86400
    return func.julianday(Engagement.closed_at) - func.julianday(Engagement.opened_at)


def _key_condition(table, key: Key | None):
    if key is None:
        return true()
    scenario_id, exhibition_id, manager_id = key
    manager = table.c.manager_id.is_(None) if manager_id is None else table.c.manager_id == manager_id
    return and_(table.c.scenario_id == scenario_id, table.c.exhibition_id == exhibition_id, manager)


def _fill(execute, key: Key | None, dialect: str, zone: str, at: datetime | None) -> None:
    log, engagements = StepLog.__table__, Engagement.__table__
    by = (log.c.scenario_id, log.c.exhibition_id, log.c.manager_id)
    execute(insert(StepCount.__table__).from_select(
        ["scenario_id", "exhibition_id", "manager_id", "step", "entered", "in_progress"],
        select(*by, log.c.step, func.count().filter(log.c.first_entry), func.count().filter(log.c.left_at.is_(None)))
        .where(_key_condition(log, key), log.c.first_entry | log.c.left_at.is_(None)).group_by(*by, log.c.step)))
    execute(insert(ResultCount.__table__).from_select(
        ["scenario_id", "exhibition_id", "manager_id", "step", "result", "result_kind", "result_reason", "count"],
        select(*by, log.c.step, log.c.result, log.c.result_kind, log.c.result_reason, func.count())
        .where(_key_condition(log, key), log.c.closing)
        .group_by(*by, log.c.step, log.c.result, log.c.result_kind, log.c.result_reason)))
    month = month_of(engagements.c.closed_at, dialect, zone, at)
    won = engagements.c.state == "won"
    by = (engagements.c.scenario_id, engagements.c.exhibition_id, engagements.c.manager_id)
    execute(insert(MonthCount.__table__).from_select(
        ["scenario_id", "exhibition_id", "manager_id", "month", "engagements", "won", "won_amount", "expected_amount",
         "cycle_days"],
        select(*by, month, func.count(), func.count().filter(won),
               func.coalesce(func.sum(engagements.c.contract_amount).filter(won), literal(0)),
               func.coalesce(func.sum(engagements.c.expected_amount), literal(0)),
               func.coalesce(func.sum(cycle_days(dialect)).filter(engagements.c.closed_at.is_not(None)), literal(0)))
        .where(_key_condition(engagements, key), engagements.c.scenario_id.is_not(None)).group_by(*by, month)))


def _clear(execute, key: Key | None) -> None:
    for model in (StepCount, ResultCount, MonthCount):
        execute(delete(model.__table__).where(_key_condition(model.__table__, key)))


def recompute(execute, keys, dialect: str, zone: str, at: datetime | None = None) -> None:
    """Redo the rows of each ``(scenario_id, exhibition_id, manager_id)`` in ``keys``."""
    for key in set(keys):
        if key[0] is None:  # an engagement without a scenario has no funnel
            continue
        _clear(execute, key)
        _fill(execute, key, dialect, zone, at)


def rebuild(execute, dialect: str, zone: str, at: datetime | None = None) -> None:
    """Redo every row from the log."""
    _clear(execute, None)
    _fill(execute, None, dialect, zone, at)


# --- in the app: the hooks, the job, the command ------------------------------------------------


def touch(*keys: Key) -> None:
    """Recompute ``keys`` in the current transaction (pending changes flushed first)."""
    from flask import current_app

    from expo.hooks import db_session, now

    session = db_session()
    session.flush()
    recompute(session.execute, keys, session.get_bind().dialect.name, current_app.config["TIMEZONE"], now())


def rebuild_now() -> None:
    """Rebuild every count in the current transaction (the caller commits)."""
    from flask import current_app

    from expo.hooks import db_session, now

    session = db_session()
    rebuild(session.execute, session.get_bind().dialect.name, current_app.config["TIMEZONE"], now())


def key_of(engagement: models.Engagement, manager_id=...) -> Key:
    return (engagement.scenario_id, engagement.exhibition_id,
            engagement.manager_id if manager_id is ... else manager_id)


def keys_of_client(execute, client_id: int) -> set[Key]:
    rows = execute(select(Engagement.scenario_id, Engagement.exhibition_id, Engagement.manager_id)
                   .where(Engagement.client_id == client_id)).all()
    return {tuple(row) for row in rows}
