"""Writing generated rows fast: binary COPY on PostgreSQL, big executemany batches on SQLite.

A batch's rows arrive as dicts (their keys are the columns). ``render`` turns them into what
``write`` sends (it may run in a worker process: on PostgreSQL it makes the binary COPY data, the
costliest part of sending); ``write`` runs in the caller's transaction, so the load commits whole
or not at all.

While loading, the tables' secondary indexes are dropped and built again at the end, from their
own definitions as the database reports them: building an index once is several times faster than
updating it per row (measured in docs/performance.md). PostgreSQL's and SQLite's DDL is
transactional, so a failed load leaves the schema as it was. Foreign keys are not checked row by row
either: a superuser's load runs with ``session_replication_role = replica`` (as pg_restore's
``--disable-triggers``: the keys stay in place, unchecked for this transaction only); anyone else's
drops them and adds them back, which checks each key once, with one join.
"""
from __future__ import annotations

import io
import os
from datetime import date, datetime

from psycopg.copy import Copy, FileWriter
from sqlalchemy import Connection

# Parents before children, the order in which batches are written.
TABLES = ("clients", "contacts", "engagements", "step_log", "tasks", "activities")


class Sink:
    def __init__(self, connection: Connection):
        self.connection = connection
        self.raw = connection.connection.driver_connection

    def begin(self) -> None:
        """Prepare the tables for a bulk load."""

    def render(self, rows: dict[str, list[dict]]):
        raise NotImplementedError

    def write(self, rendered) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Put back what ``begin`` took away (before the commit)."""


def sink_for(connection: Connection) -> Sink:
    return PostgresSink(connection) if connection.dialect.name == "postgresql" else SQLiteSink(connection)


class PostgresSink(Sink):
    def begin(self) -> None:
        self.url = self.connection.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.parent = os.getpid()
        with self.raw.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds sort in memory
            cursor.execute("SELECT attrelid::regclass::text, attname, atttypid FROM pg_attribute"
                           " WHERE attrelid = ANY(%s::regclass[]) AND attnum > 0 AND NOT attisdropped",
                           [list(TABLES)])
            self.types: dict[str, dict[str, int]] = {table: {} for table in TABLES}
            for table, column, type_id in cursor.fetchall():
                self.types[table][column] = type_id
            if _skip_key_checks(cursor):
                self.foreign_keys = []
            else:
                cursor.execute(
                    "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' ORDER BY 1, 2", [list(TABLES)])
                self.foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [list(TABLES)])
            self.indexes = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")

    def render(self, rows: dict[str, list[dict]]) -> list[tuple[str, list[str], bytes]]:
        """Binary COPY data per table (in a worker: formatted with a connection of its own, never used)."""
        rendered = []
        cursor = self.raw.cursor() if os.getpid() == self.parent else _worker_cursor(self.url)
        for table in TABLES:
            if rows[table]:
                columns, data = list(rows[table][0]), io.BytesIO()
                with Copy(cursor, binary=True, writer=FileWriter(data)) as copy:
                    copy.set_types([self.types[table][column] for column in columns])
                    for row in rows[table]:
                        copy.write_row(tuple(row.values()))
                rendered.append((table, columns, data.getvalue()))
        return rendered

    def write(self, rendered: list[tuple[str, list[str], bytes]]) -> None:
        with self.raw.cursor() as cursor:
            for table, columns, data in rendered:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(data)

    def finish(self) -> None:
        with self.raw.cursor() as cursor:
            for _name, definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table in TABLES:  # ids were given explicitly: move each sequence past them
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                               f" coalesce(max(id), 0) + 1, false) FROM {table}")
            # fresh statistics, or the planner guesses from empty tables until autovacuum comes by
            cursor.execute(f"ANALYZE {', '.join(TABLES)}")


def _skip_key_checks(cursor) -> bool:
    """Turn foreign-key checks off for this transaction, if the user may (a superuser)."""
    cursor.execute("SELECT current_setting('is_superuser') = 'on'")
    if not cursor.fetchone()[0]:
        return False
    cursor.execute("SET LOCAL session_replication_role = replica")
    return True


_worker_connection = {}


def _worker_cursor(url: str):
    """A worker's own connection, only for psycopg's adapters (the parent's must not be touched)."""
    import psycopg
    from multiprocessing.util import Finalize

    if "connection" not in _worker_connection:
        connection = _worker_connection["connection"] = psycopg.connect(url)
        Finalize(connection, connection.close, exitpriority=10)
    return _worker_connection["connection"].cursor()


class SQLiteSink(Sink):
    def begin(self) -> None:
        cursor = self.raw.cursor()
        # a bigger page cache for the inserts and index builds (the load is one transaction, so one
        # commit: synchronous, which SQLite refuses to change inside a transaction, hardly matters)
        self.cache_size = cursor.execute("PRAGMA cache_size").fetchone()[0]
        cursor.execute("PRAGMA cache_size = -131072")  # 128 MiB
        self.indexes = cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN"
            f" ({', '.join('?' * len(TABLES))}) ORDER BY name", TABLES).fetchall()
        for name, _sql in self.indexes:
            cursor.execute(f'DROP INDEX "{name}"')

    def render(self, rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
        return rows

    def write(self, rows: dict[str, list[dict]]) -> None:
        cursor = self.raw.cursor()
        for table in TABLES:
            if rows[table]:
                columns = list(rows[table][0])
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [tuple(map(_sqlite_value, row.values())) for row in rows[table]])

    def finish(self) -> None:
        cursor = self.raw.cursor()
        for _name, sql in self.indexes:
            cursor.execute(sql)
        cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")


def _sqlite_value(value):
    """Datetimes and dates as SQLAlchemy stores them on SQLite: text, microseconds included."""
    if type(value) is datetime:  # generated ones are whole minutes, in UTC
        return f"{str(value)[:19]}.000000"
    if type(value) is date:
        return value.isoformat()
    return value
