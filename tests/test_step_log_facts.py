"""The step log's funnel facts: the first entry into each step, and the row an engagement closed
from — kept by the engine through loops, closing, reopening, and backfilled by migration 0007."""
from __future__ import annotations

from alembic import command
from sqlalchemy import select

from expo.core import db
from expo.core.migrate import alembic_config
from expo.core.models import StepLog, User
from expo.testing import LOOP_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario, reopen, walk

def _facts(engagement_id):
    return [(row.step, row.first_entry, row.closing) for row in db.session().scalars(
        select(StepLog).where(StepLog.engagement_id == engagement_id).order_by(StepLog.id))]


def _build(app, make_user):
    with app.app_context():
        planner = db.session().get(User, make_user("planner").id)
        scenario = new_scenario(planner, LOOP_EXAMPLE)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner), scenario_id=scenario.id)
        walk(engagement, planner, "go", "revise", "go", "signed")  # contact, offer, contact, offer: closed
        reopen(engagement, planner)  # back on offer
        walk(engagement, planner, "revise", "no")  # contact: closed from there
        return engagement.id


EXPECTED = [("contact", True, False), ("offer", True, False), ("contact", False, False), ("offer", False, False),
            ("offer", False, False), ("contact", False, True)]


def test_the_engine_marks_first_entries_and_the_closing_row(app, make_user):
    engagement_id = _build(app, make_user)
    with app.app_context():
        assert _facts(engagement_id) == EXPECTED


def test_migration_0007_backfills_the_facts_from_the_log(app, make_user):
    engagement_id = _build(app, make_user)
    engine = app.extensions["expo.engine"]
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0006")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "heads")
    with app.app_context():
        assert _facts(engagement_id) == EXPECTED
