"""The manager's day: closing comments, amounts a result requires, draft scenario versions, the
firm's pick-lists

Revision ID: 0009
Revises: 0008

- ``step_log.comment``: what was said when an outcome closed the engagement (shown in its history).
- ``scenario_results.requires_amount``: choosing this result asks for the contract amount.
- ``scenarios.published_at``: a saved version is a draft until published; every version that
  existed before this revision was in use, so it counts as published when it was created.
- ``ix_engagements_board``: the exhibition board reads each column's first cards as one index range.
- ``pick_list_items``: the firm's own values for a client's region, industry and channel, seeded
  from the values the clients already have.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite ≥ 3.35 adds and drops columns itself): a batch copy of
    # ``scenarios`` would drop a table every engagement and step-log row refers to.
    op.add_column("step_log", sa.Column("comment", sa.Text(), nullable=True))
    op.add_column("scenario_results",
                  sa.Column("requires_amount", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("scenarios", sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE scenarios SET published_at = created_at")
    op.create_table(
        "pick_list_items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.UniqueConstraint("field", "value"),
    )
    # The board's columns: each one's first cards are one range of this index, its counts and sums
    # an index-only scan on PostgreSQL (expo.core.queries.board).
    op.create_index("ix_engagements_board", "engagements",
                    ["exhibition_id", "scenario_id", "state", "step", "opened_at"],
                    postgresql_include=["client_id", "manager_id", "result", "expected_amount", "contract_amount"])
    for field in ("region", "industry", "channel"):
        op.execute(
            f"INSERT INTO pick_list_items (field, value, position) "
            f"SELECT '{field}', {field}, 0 FROM clients "
            f"WHERE {field} IS NOT NULL AND {field} <> '' GROUP BY {field}")


def downgrade() -> None:
    op.drop_index("ix_engagements_board", table_name="engagements")
    op.drop_table("pick_list_items")
    op.drop_column("scenarios", "published_at")
    op.drop_column("scenario_results", "requires_amount")
    op.drop_column("step_log", "comment")
