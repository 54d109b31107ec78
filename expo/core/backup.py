"""``expo backup`` / ``expo restore``: a consistent copy of the database, taken while Expo runs.

SQLite: the backup API copies the database page by page under a read lock (WAL mode lets writers
go on), so the copy is consistent without stopping Expo; a restore copies the pages back. PostgreSQL:
``pg_dump`` in its custom format (a consistent snapshot), restored with ``pg_restore --clean`` in one
transaction. The instance folder (secret key, generated reports, mail outbox) is files: copy it
alongside (see the operator guide).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

SQLITE_MAGIC, PG_DUMP_MAGIC = b"SQLite format 3\x00", b"PGDMP"


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def _sqlite_path(url) -> str:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return url.database


def _pg_command(tool: str, url, *args: str) -> tuple[list[str], dict]:
    """The command for pg_dump/pg_restore, with the password in the environment (not in `ps`)."""
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is not installed (it comes with the PostgreSQL client package)")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    target = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [tool, *args, f"--dbname={target}"], env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")


def backup(database_url: str, target: Path) -> None:
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(partial)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif url.get_backend_name() == "postgresql":
        command, env = _pg_command("pg_dump", url, "--format=custom", "--no-owner", f"--file={partial}")
        _run(command, env)
    else:
        raise BackupError(f"no backup method for {url.get_backend_name()}")
    partial.replace(target)  # a half-written backup never carries the final name


def restore(database_url: str, source: Path) -> None:
    """Replace the database's contents with the backup's. Stop Expo's web and worker processes first."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"no backup file {source}")
    head = source.open("rb").read(16)
    if url.get_backend_name() == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise BackupError(f"{source} is not an SQLite backup")
        backup_db = sqlite3.connect(source)
        live = sqlite3.connect(_sqlite_path(url))
        try:
            with live:
                backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise BackupError(f"{source} is not a pg_dump custom-format backup")
        command, env = _pg_command("pg_restore", url, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                                   str(source))
        _run(command, env)
    else:
        raise BackupError(f"no restore method for {url.get_backend_name()}")
