"""Engine and session handling: one engine per app, one session per app context.

Flask-SQLAlchemy would do this too, but its release lags SQLAlchemy 2.1; this module is the
few lines we need (see docs/decisions/0002-plain-sqlalchemy.md).
"""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


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
    return create_engine(url, pool_pre_ping=True)


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
