"""Engine and session handling: one engine per app, one session per app context.

Flask-SQLAlchemy would do this too, but its release lags SQLAlchemy 2.1; this module is the
few lines we need (see docs/decisions/0002-plain-sqlalchemy-sessions.md).
"""
from __future__ import annotations

import re

from flask import Flask, current_app, g
from sqlalchemy import ColumnElement, Engine, Index, UniqueConstraint, create_engine, event
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # WAL lets readers run beside a writer; SQLite leaves foreign keys off unless asked.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    # JIT off: compiling a plan to machine code costs PostgreSQL 50–200 ms, paid back only by
    # queries that run for seconds; a page's query is short, and at 200 000 clients the planner's
    # cost estimate crosses jit_above_cost often (the board: 412 ms instead of ~20; docs/performance.md).
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["expo.engine"] = engine
    app.extensions["expo.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def session() -> Session:
    """The session of the current app context (request, CLI command or job)."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["expo.sessionmaker"]()
    return g.db_session


def rows(statement: Executable, parameters: dict | None = None) -> list[Row]:
    """The rows of a read of columns (not of model objects), through the session's connection.

    The same transaction as ``session().execute``, without its ORM layer (an ORM execution context
    per statement, some 100 µs): the pages people open most issue a handful of reads, and their
    Python time counts against the SQL's (docs/decisions/0026-fixed-cost-per-request.md). What the
    session holds unsaved is flushed first, as its own execute would."""
    current = session()
    if current.autoflush:
        current.flush()  # nothing to do (and cheap) when nothing is pending
    return current.connection().execute(statement, parameters).all()


def engine() -> Engine:
    return current_app.extensions["expo.engine"]


def commit() -> None:
    """Commit the current session, then start the jobs queued during the transaction."""
    from expo.core import jobs

    current = session()
    current.commit()
    jobs.flush_pending(current)


def rollback() -> None:
    from expo.core import jobs

    current = session()
    current.rollback()
    jobs.discard_pending(current)


def is_postgresql() -> bool:
    return session().get_bind().dialect.name == "postgresql"


def is_sqlite() -> bool:
    return session().get_bind().dialect.name == "sqlite"


def insert_many(table, rows: list[dict]) -> None:
    """Insert many rows (each with the same keys) in the session's transaction, as fast as the
    database takes them: PostgreSQL's COPY (ten times a pipelined executemany for the 100 000 rows
    of a big import: docs/performance.md), else one executemany. Python-side column defaults
    (``default=``) fill the columns the rows leave out, once for the whole call, as an INSERT would."""
    if not rows:
        return
    if not is_postgresql():
        session().execute(table.insert(), rows)
        return
    import json

    given = list(rows[0])
    filled = {column.name: column.default.arg(None) if column.default.is_callable else column.default.arg
              for column in table.columns
              if column.name not in given and column.default is not None
              and (column.default.is_scalar or column.default.is_callable)}
    if filled:
        rows = [{**filled, **row} for row in rows]
    columns = list(rows[0])
    json_columns = {name for name in columns if table.c[name].type.__class__.__name__ == "JSON"}
    raw = session().connection().connection.driver_connection  # the psycopg connection, same transaction
    quoted = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name], ensure_ascii=False) if name in json_columns else row[name]
                            for name in columns])


def one_of(column, values) -> "ColumnElement":
    """``column IN (values)`` for a long list: on PostgreSQL ``= ANY(array)``, one parameter
    (an IN list of a thousand is compiled value by value, a second per 20 000 looked-up rows)."""
    values = list(values)
    if is_postgresql():
        from sqlalchemy import Integer, String, any_, bindparam
        from sqlalchemy.dialects.postgresql import ARRAY
        from sqlalchemy.types import NullType

        # an expression (lower(email)) has no type of its own: the values tell
        item = column.type if not isinstance(column.type, NullType) else \
            Integer() if values and isinstance(values[0], int) else String()
        return column == any_(bindparam(None, values, type_=ARRAY(item)))
    return column.in_(values)


def upsert(table, values: dict, keys: tuple[str, ...], update: tuple[str, ...] = ()) -> None:
    """Insert a row, or — when one with the same ``keys`` (a unique constraint) exists — set its
    ``update`` columns (none: leave it). One statement, so two requests racing to write the same
    key never clash (a check-then-insert would let both insert)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session().get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table).values(**values)
    if update:
        statement = statement.on_conflict_do_update(index_elements=list(keys),
                                                    set_={name: statement.excluded[name] for name in update})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(keys))
    session().execute(statement)


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)")


def unique_clash(error: IntegrityError) -> str | None:
    """The name of the unique index or constraint a write clashed with (None: another kind of error).

    PostgreSQL names it; SQLite names the columns, which the models map back to the name.
    """
    from expo.core.models import Base

    name = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
    if name:
        return name
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if not match:
        return None
    columns = [column.split(".") for column in match.group(1).split(", ")]
    table = Base.metadata.tables.get(columns[0][0])
    wanted = [column for _table, column in columns]
    for candidate in [*table.indexes, *table.constraints] if table is not None else []:
        unique = isinstance(candidate, UniqueConstraint) or (isinstance(candidate, Index) and candidate.unique)
        if unique and [column.name for column in candidate.columns] == wanted:
            return candidate.name
    return None
