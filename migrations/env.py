"""Alembic environment shared by the core and the plugins' trees.

``expo db upgrade`` passes the connection and the version table in ``config.attributes``;
running ``alembic`` by hand (to autogenerate a core revision) uses EXPO_DATABASE_URL.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from expo.config import fill_defaults, from_environment
from expo.core.migrate import declared_for, not_a_version_table
from expo.core.models import Base

config = context.config
target_metadata = Base.metadata


def run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=config.attributes.get("version_table", "alembic_version"),
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying
        compare_type=True,
        include_name=not_a_version_table,  # autogenerate must not drop the plugins' version tables
        include_object=declared_for(connection.dialect.name),  # nor add PostgreSQL-only indexes to SQLite
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    settings = from_environment()
    fill_defaults(settings)
    with create_engine(settings["DATABASE_URL"]).begin() as own_connection:
        run(own_connection)
