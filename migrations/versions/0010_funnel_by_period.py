"""Indexes for reads at scale: the funnel of a period (a scenario's engagements by opening date,
their step-log rows from the index by engagement), the open engagements, the client list's filters

Revision ID: 0010
Revises: 0009

The funnel with a period ("engagements opened in it"; the start page's widget: this month) asks
for the ids of a scenario's engagements opened in a range, then for those engagements' step-log
rows. Without an index on ``opened_at`` PostgreSQL scanned every engagement, and without the
funnel's columns in ``ix_step_log_engagement`` it scanned the scenario's whole log (115–220 ms a
statement at 1 M engagements and 2.5 M log rows, four statements a widget). Now both are
index-only reads of the period's rows.

``ix_engagements_open``: the start page counts the open engagements (a tenth of them); without it
PostgreSQL read all 1 M rows (118 ms), now the open ones' entries alone (≈ 30 ms).

The client list's filter indexes (manager, region, industry, channel, category) are keyed by the
name key and the id, the order the list sorts by within a filter (they keyed ``name``, which the
list no longer sorts by), and carry ``deleted_at`` on PostgreSQL so a filter's count is index-only.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

STEP_LOG_FUNNEL_COLUMNS = ["scenario_id", "exhibition_id", "manager_id", "step", "first_entry", "left_at",
                           "closing", "result", "result_kind", "result_reason"]
OPEN = sa.text("state = 'open'")
CLIENT_FILTERS = (("manager", "manager_id"), ("region", "region"), ("industry", "industry"),
                  ("channel", "channel"), ("category", "category"))


def upgrade() -> None:
    for field, column in CLIENT_FILTERS:
        op.drop_index(f"ix_clients_{field}_name", table_name="clients")
        op.create_index(f"ix_clients_{field}_name", "clients", [column, "name_key", "id"],
                        postgresql_include=["deleted_at"])
    op.create_index("ix_engagements_open", "engagements", ["client_id"], postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index("ix_engagements_opened", "engagements", ["scenario_id", "opened_at"],
                    postgresql_include=["id", "exhibition_id", "manager_id", "client_id"])
    op.drop_index("ix_step_log_engagement", table_name="step_log")
    op.create_index("ix_step_log_engagement", "step_log", ["engagement_id", "entered_at"],
                    postgresql_include=STEP_LOG_FUNNEL_COLUMNS)


def downgrade() -> None:
    for field, column in CLIENT_FILTERS:
        op.drop_index(f"ix_clients_{field}_name", table_name="clients")
        op.create_index(f"ix_clients_{field}_name", "clients", [column, "name"])
    op.drop_index("ix_step_log_engagement", table_name="step_log")
    op.create_index("ix_step_log_engagement", "step_log", ["engagement_id", "entered_at"])
    op.drop_index("ix_engagements_opened", table_name="engagements")
    op.drop_index("ix_engagements_open", table_name="engagements")
