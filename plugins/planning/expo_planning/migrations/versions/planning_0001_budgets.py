"""planning: budgets per engagement (with copies of the engagement's key, state and contract), their
history, periods (target, closed), the firm's plan vs fact per month

Revision ID: planning_0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "planning_0001"
down_revision = None
branch_labels = None
depends_on = None

AMOUNT = sa.Numeric(14, 2)
COVERED = ("planned", "refined", "actual", "state", "client_id", "manager_id", "exhibition_id")


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete)


def upgrade() -> None:
    op.create_table("planning_budgets",
                    sa.Column("engagement_id", sa.Integer(), nullable=False),
                    sa.Column("period", sa.String(length=7), nullable=False),
                    sa.Column("planned", AMOUNT, nullable=False),
                    sa.Column("refined", AMOUNT, nullable=True),
                    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                    sa.Column("client_id", sa.Integer(), nullable=False),
                    sa.Column("exhibition_id", sa.Integer(), nullable=False),
                    sa.Column("manager_id", sa.Integer(), nullable=True),
                    sa.Column("state", sa.String(length=20), nullable=False),
                    sa.Column("actual", AMOUNT, nullable=True),
                    _fk("planning_budgets", "engagement_id", "engagements", "CASCADE"),
                    sa.PrimaryKeyConstraint("engagement_id", name=op.f("pk_planning_budgets")))
    for name, key in (("period", ["period"]), ("exhibition", ["exhibition_id", "period"]),
                      ("manager", ["manager_id", "period"])):
        op.create_index(f"ix_planning_budgets_{name}", "planning_budgets", key,
                        postgresql_include=[c for c in COVERED if c not in key])
    op.create_index("ix_planning_budgets_client", "planning_budgets", ["client_id"])
    op.create_table("planning_changes",
                    sa.Column("id", sa.Integer(), nullable=False),
                    sa.Column("engagement_id", sa.Integer(), nullable=False),
                    sa.Column("kind", sa.String(length=10), nullable=False),
                    sa.Column("period", sa.String(length=7), nullable=True),
                    sa.Column("old_amount", AMOUNT, nullable=True),
                    sa.Column("amount", AMOUNT, nullable=True),
                    sa.Column("comment", sa.Text(), nullable=True),
                    sa.Column("user_id", sa.Integer(), nullable=True),
                    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
                    _fk("planning_changes", "engagement_id", "engagements", "CASCADE"),
                    _fk("planning_changes", "user_id", "users", "SET NULL"),
                    sa.PrimaryKeyConstraint("id", name=op.f("pk_planning_changes")))
    op.create_index("ix_planning_changes_engagement", "planning_changes", ["engagement_id", "id"])
    op.create_table("planning_periods",
                    sa.Column("period", sa.String(length=7), nullable=False),
                    sa.Column("target", AMOUNT, nullable=True),
                    sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
                    sa.Column("closed_by_id", sa.Integer(), nullable=True),
                    _fk("planning_periods", "closed_by_id", "users", "SET NULL"),
                    sa.PrimaryKeyConstraint("period", name=op.f("pk_planning_periods")))
    op.create_table("planning_months",
                    sa.Column("period", sa.String(length=7), nullable=False),
                    *[sa.Column(name, sa.BigInteger(), nullable=False) for name in ("planned", "refined", "actual", "lost",
                                                                           "open_refined")],
                    *[sa.Column(name, sa.Integer(), nullable=False) for name in ("engagements", "won", "dropped",
                                                                                 "open")],
                    sa.PrimaryKeyConstraint("period", name=op.f("pk_planning_months")))


def downgrade() -> None:
    op.drop_table("planning_months")
    op.drop_table("planning_periods")
    op.drop_index("ix_planning_changes_engagement", table_name="planning_changes")
    op.drop_table("planning_changes")
    for name in ("client", "manager", "exhibition", "period"):
        op.drop_index(f"ix_planning_budgets_{name}", table_name="planning_budgets")
    op.drop_table("planning_budgets")
