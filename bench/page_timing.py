"""Timing a page against the SQL it issues, for the page benchmarks (funnel_speed, planning_speed).

``statements_of`` records what a request sent to the database; ``raw`` replays those statements
straight through the driver, in one transaction rolled back; ``interleaved_ms`` times a page and
its replay in turns after warm-ups. The ratio page ÷ its SQL is what the issues' "≤ 3× the raw
SQL" targets mean.
"""
from __future__ import annotations

import statistics
import time

from sqlalchemy import event

# psycopg prepares a statement on the server at its fifth execution on a connection, as a live
# server's pages soon reach: the timed runs start after that.
WARM_UPS = 5


def times_ms(action, runs: int, warm_ups: int = WARM_UPS) -> list[float]:
    """``action`` timed ``runs`` times (ms) after ``warm_ups`` untimed runs."""
    for _ in range(warm_ups):  # caches, plans, and psycopg's server-side prepared statements
        action()
    found = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        found.append((time.perf_counter() - began) * 1000)
    return found


def median_ms(action, runs: int) -> float:
    return statistics.median(times_ms(action, runs))


def interleaved_ms(page, sql, runs: int, warm_ups: int = WARM_UPS) -> tuple[list[float], list[float]]:
    """``(page times, SQL times)`` in ms: ``page`` and ``sql`` each warmed up, then timed in turns,
    one of each ``runs`` times, so that both are measured in the same moments. This machine's speed
    drifts by a third from minute to minute; timing one after the other put the drift into the ratio."""
    for _ in range(warm_ups):
        page()
        sql()
    page_times, sql_times = [], []
    for _ in range(runs):
        for action, found in ((page, page_times), (sql, sql_times)):
            began = time.perf_counter()
            action()
            found.append((time.perf_counter() - began) * 1000)
    return page_times, sql_times


def statements_of(app, action) -> list[tuple[str, object]]:
    """The SQL statements (text, parameters) ``action`` issued."""
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, parameters))

    engine = app.extensions["expo.engine"]
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def raw(app, statements):
    """A callable that runs ``statements`` directly through the driver (and rolls back)."""
    engine = app.extensions["expo.engine"]

    def run():
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            cursor = driver.cursor()  # sqlite3's cursor is no context manager
            try:
                for statement, parameters in statements:
                    cursor.execute(statement, parameters)
                    cursor.fetchall() if cursor.description else None
            finally:
                cursor.close()
            driver.rollback()
    return run


def page_getter(page, url: str):
    """A callable that fetches ``url`` with the logged-in ``page`` client and reads the whole body."""
    def fetch():
        response = page.get(url)
        assert response.status_code == 200, (url, response.status_code)
        response.get_data()
    return fetch


def page_and_sql(app, fetch, runs: int) -> tuple[float, float, int]:
    """``(page ms, its SQL ms, statements)``: ``fetch`` and a replay of the statements it issued, timed in turns."""
    statements = statements_of(app, fetch)
    page_times, sql_times = interleaved_ms(fetch, raw(app, statements), runs)
    return statistics.median(page_times), statistics.median(sql_times), len(statements)
