"""A throw-away PostgreSQL database for a benchmark: created, migrated, dropped at the end."""
from __future__ import annotations

import tempfile
import uuid
from contextlib import contextmanager

from sqlalchemy import create_engine, text

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_database(prefix: str, admin_url: str = ADMIN_URL, **config):
    """Yields ``(url, instance folder, app)`` of a new migrated database; drops it afterwards."""
    from expo import create_app
    from expo.core.migrate import upgrade

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"expo_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        with tempfile.TemporaryDirectory() as folder:
            app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": folder, **config})
            upgrade(app)
            yield url, folder, app
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
