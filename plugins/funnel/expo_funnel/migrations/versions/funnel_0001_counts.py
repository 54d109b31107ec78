"""funnel: count tables of the step log and engagements per scenario version, exhibition, manager;
filled from the data already there

Revision ID: funnel_0001
Revises:
"""
import os

from alembic import op
import sqlalchemy as sa

revision = "funnel_0001"
down_revision = None
branch_labels = None
depends_on = None

def _key():
    """The key columns, new for each table (a Column belongs to one table)."""
    return [sa.Column("scenario_id", sa.Integer(), nullable=False), sa.Column("exhibition_id", sa.Integer(), nullable=False),
            sa.Column("manager_id", sa.Integer(), nullable=True)]


def upgrade() -> None:
    op.create_table("funnel_step_counts", sa.Column("id", sa.Integer(), nullable=False), *_key(),
                    sa.Column("step", sa.String(length=100), nullable=False),
                    sa.Column("entered", sa.Integer(), nullable=False),
                    sa.Column("in_progress", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_step_counts")))
    op.create_table("funnel_result_counts", sa.Column("id", sa.Integer(), nullable=False), *_key(),
                    sa.Column("step", sa.String(length=100), nullable=False),
                    sa.Column("result", sa.String(length=100), nullable=True),
                    sa.Column("result_kind", sa.String(length=20), nullable=True),
                    sa.Column("result_reason", sa.String(length=100), nullable=True),
                    sa.Column("count", sa.Integer(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_result_counts")))
    op.create_table("funnel_month_counts", sa.Column("id", sa.Integer(), nullable=False), *_key(),
                    sa.Column("month", sa.String(length=7), nullable=True),
                    sa.Column("engagements", sa.Integer(), nullable=False),
                    sa.Column("won", sa.Integer(), nullable=False),
                    sa.Column("won_amount", sa.Numeric(precision=16, scale=2), nullable=False),
                    sa.Column("expected_amount", sa.Numeric(precision=16, scale=2), nullable=False),
                    sa.Column("cycle_days", sa.Float(), nullable=False),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_funnel_month_counts")))
    for table in ("funnel_step_counts", "funnel_result_counts", "funnel_month_counts"):
        op.create_index(f"ix_{table}_key", table, ["scenario_id", "exhibition_id", "manager_id"], unique=False)
    # The history already in the log (the core is migrated first). The firm's zone, as configured.
    from expo_funnel.counts import rebuild

    bind = op.get_bind()
    rebuild(bind.execute, bind.dialect.name, os.environ.get("EXPO_TIMEZONE", "Europe/Moscow"))


def downgrade() -> None:
    for table in ("funnel_month_counts", "funnel_result_counts", "funnel_step_counts"):
        op.drop_table(table)
