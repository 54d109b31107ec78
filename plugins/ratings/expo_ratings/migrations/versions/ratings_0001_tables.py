"""ratings: rules, engagement and client ratings, history, recomputations; the default rule set;
a pending recomputation, the marker that the plugin is enabled here for the first time

Revision ID: ratings_0001
Revises:
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa

revision = "ratings_0001"
down_revision = None
branch_labels = None
depends_on = None

# The editable default set of the issue: won +10; lost for price −1, for quality −3; declined −5.
DEFAULT_RULES = [
    {"result_key": None, "kind": "won", "reason": None, "points": 10, "position": 0},
    {"result_key": None, "kind": "lost", "reason": "price", "points": -1, "position": 1},
    {"result_key": None, "kind": "lost", "reason": "quality", "points": -3, "position": 2},
    {"result_key": None, "kind": "declined", "reason": None, "points": -5, "position": 3},
]


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    rules = op.create_table(
        "ratings_rules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("result_key", sa.String(length=100), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=100), nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ratings_rules"),
    )
    op.create_table(
        "ratings_engagements",
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("exhibition", sa.Integer(), nullable=False),
        _fk("ratings_engagements", "engagement_id", "engagements", "CASCADE"),
        _fk("ratings_engagements", "client_id", "clients", "CASCADE"),
        sa.PrimaryKeyConstraint("engagement_id", name="pk_ratings_engagements"),
    )
    op.create_index("ix_ratings_engagements_client_id", "ratings_engagements", ["client_id"])
    op.create_table(
        "ratings_clients",
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("personal", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        _fk("ratings_clients", "client_id", "clients", "CASCADE"),
        sa.PrimaryKeyConstraint("client_id", name="pk_ratings_clients"),
    )
    op.create_index("ix_ratings_clients_total", "ratings_clients", ["total"])
    op.create_table(
        "ratings_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column("component", sa.String(length=20), nullable=False),
        sa.Column("old_value", sa.Integer(), nullable=True),
        sa.Column("new_value", sa.Integer(), nullable=True),
        sa.Column("cause", sa.String(length=20), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        _fk("ratings_changes", "user_id", "users", "SET NULL"),
        _fk("ratings_changes", "client_id", "clients", "CASCADE"),
        _fk("ratings_changes", "engagement_id", "engagements", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_ratings_changes"),
    )
    op.create_index("ix_ratings_changes_at", "ratings_changes", ["at"])
    op.create_index("ix_ratings_changes_engagement_id", "ratings_changes", ["engagement_id"])
    op.create_index("ix_ratings_changes_client_at", "ratings_changes", ["client_id", "at"])
    runs = op.create_table(
        "ratings_recomputations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _fk("ratings_recomputations", "requested_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_ratings_recomputations"),
    )
    op.create_index("ix_ratings_recomputations_state", "ratings_recomputations", ["state"])
    op.bulk_insert(rules, DEFAULT_RULES)
    # The tables exist from now on: this firm enables ratings for the first time. The pending run
    # gives every engagement already closed its status rating, once (the first request claims it).
    op.bulk_insert(runs, [{"trigger": "enabled", "state": "pending", "created_at": datetime.now(timezone.utc),
                           "total": 0, "done": 0, "changed": 0}])


def downgrade() -> None:
    for table in ("ratings_recomputations", "ratings_changes", "ratings_clients", "ratings_engagements",
                  "ratings_rules"):
        op.drop_table(table)
