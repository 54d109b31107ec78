"""step log: first entry into a step and the row an engagement closed from (the funnel's facts)

Revision ID: 0007
Revises: 0006

The funnel counts each engagement once per step (``first_entry``) and needs to know the step an
engagement closed at (``closing``; the result itself is set on every row). Both are backfilled
here from the log: the first row of each (engagement, step), and the last row of each closed
engagement. The funnel indexes are rebuilt to carry them (INCLUDE, on PostgreSQL), so the funnel
is read from the index alone.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

FUNNEL_INDEXES = {
    'ix_step_log_funnel_scenario': (['scenario_id', 'step', 'result_kind', 'result_reason'],
                                    ['first_entry', 'closing', 'left_at', 'manager_id', 'engagement_id']),
    'ix_step_log_funnel_exhibition': (['exhibition_id', 'scenario_id', 'step', 'result_kind', 'result_reason'],
                                      ['first_entry', 'closing', 'left_at', 'engagement_id']),
    'ix_step_log_funnel_manager': (['manager_id', 'scenario_id', 'step', 'result_kind', 'result_reason'],
                                   ['first_entry', 'closing', 'left_at', 'engagement_id']),
}


def upgrade() -> None:
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_entry', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('closing', sa.Boolean(), nullable=False, server_default=sa.false()))
    # Plain SQL both databases run: the smallest id per (engagement, step) is its first entry; the
    # largest id of a closed engagement (result set) is the row it closed from.
    op.execute("""
        UPDATE step_log SET first_entry = TRUE WHERE id IN (
            SELECT min(id) FROM step_log GROUP BY engagement_id, step)
    """)
    op.execute("""
        UPDATE step_log SET closing = TRUE WHERE result IS NOT NULL AND id IN (
            SELECT max(id) FROM step_log GROUP BY engagement_id)
    """)
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        for name, (columns, _include) in FUNNEL_INDEXES.items():
            batch_op.drop_index(name)
    for name, (columns, include) in FUNNEL_INDEXES.items():
        op.create_index(name, 'step_log', columns, unique=False, postgresql_include=include)


def downgrade() -> None:
    for name, (columns, _include) in FUNNEL_INDEXES.items():
        op.drop_index(name, table_name='step_log')
        op.create_index(name, 'step_log', columns, unique=False)
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.drop_column('closing')
        batch_op.drop_column('first_entry')
