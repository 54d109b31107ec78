"""The data model: constraints, money, time zones, and migrations that match the models."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from expo.core import db
from expo.core.migrate import declared_for, not_a_version_table
from expo.core.models import Base, Client, Engagement, Exhibition, utcnow


def test_migrations_match_the_models(app):
    """A model change without a migration fails here (the Alembic drift check)."""
    with app.app_context():
        with db.engine().connect() as connection:
            # Each plugin keeps its own version table (alembic_version_<plugin>), which no model declares.
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": not_a_version_table,
                "include_object": declared_for(connection.dialect.name)})
            diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_engagement_is_unique_per_client_and_exhibition(ctx):
    client = Client(name="ООО «Тест»", name_search="ооо «тест»")
    show = Exhibition(name="Show", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2))
    ctx.add_all([client, show])
    ctx.flush()
    ctx.add(Engagement(client_id=client.id, exhibition_id=show.id))
    ctx.flush()
    ctx.add(Engagement(client_id=client.id, exhibition_id=show.id))
    with pytest.raises(IntegrityError):
        ctx.flush()
    ctx.rollback()


def test_money_keeps_cents_exactly_and_times_keep_their_zone(ctx):
    client = Client(name="A", name_search="a")
    show = Exhibition(name="Show", starts_on=date(2026, 1, 1), ends_on=date(2026, 1, 2))
    ctx.add_all([client, show])
    ctx.flush()
    engagement = Engagement(client_id=client.id, exhibition_id=show.id,
                            expected_amount=Decimal("123456789012.34"), closed_at=utcnow())
    ctx.add(engagement)
    db.commit()
    ctx.expire_all()
    loaded = ctx.get(Engagement, engagement.id)
    assert loaded.expected_amount == Decimal("123456789012.34")
    assert isinstance(loaded.expected_amount, Decimal)
    assert loaded.closed_at.tzinfo is not None


def test_foreign_keys_are_enforced(ctx):
    ctx.add(Engagement(client_id=999, exhibition_id=999))
    with pytest.raises(IntegrityError):
        ctx.flush()
    ctx.rollback()


def test_sqlite_runs_in_wal_mode(app):
    with app.app_context():
        if db.engine().dialect.name != "sqlite":
            assert db.engine().dialect.name == "postgresql"
            return
        with db.engine().connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
