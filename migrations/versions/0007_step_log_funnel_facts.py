"""step log: first entry into a step and the row an engagement closed from (the funnel's facts)

Revision ID: 0007
Revises: 0006

The funnel counts each engagement once per step (``first_entry``) and needs to know the step an
engagement closed at (``closing``; the result itself is set on every row). Both are backfilled
here from the log: the first row of each (engagement, step), and the last row of each closed
engagement. The three funnel indexes of 0002 give way to three partial ones (first entries, the
rows engagements are on now, the closing rows), and engagements get two for conversion, each
carrying (INCLUDE, on PostgreSQL) what the funnel reads, so it is read from indexes alone.
"""
from alembic import op
import sqlalchemy as sa

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD_INDEXES = {
    'ix_step_log_funnel_scenario': ['scenario_id', 'step', 'result_kind', 'result_reason'],
    'ix_step_log_funnel_exhibition': ['exhibition_id', 'scenario_id', 'step', 'result_kind', 'result_reason'],
    'ix_step_log_funnel_manager': ['manager_id', 'scenario_id', 'step', 'result_kind', 'result_reason'],
}
LOG_INDEXES = {  # name: (columns, the rows it holds)
    'ix_step_log_entries': (['scenario_id', 'exhibition_id', 'step'], 'first_entry'),
    'ix_step_log_current': (['scenario_id', 'exhibition_id', 'step'], 'left_at IS NULL'),
    'ix_step_log_closing': (['scenario_id', 'exhibition_id', 'step', 'result', 'result_kind', 'result_reason'],
                            'closing'),
}
ENGAGEMENT_INDEXES = {'ix_engagements_funnel_scenario': ['scenario_id', 'exhibition_id'],
                      'ix_engagements_funnel_manager': ['manager_id', 'scenario_id']}
ENGAGEMENT_COLUMNS = ['id', 'manager_id', 'state', 'opened_at', 'closed_at', 'expected_amount', 'contract_amount']


def upgrade() -> None:
    # The old indexes go first, so the backfill does not update them row by row.
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
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
    for name, (columns, rows) in LOG_INDEXES.items():
        op.create_index(name, 'step_log', columns, unique=False, postgresql_include=['manager_id', 'engagement_id'],
                        postgresql_where=sa.text(rows), sqlite_where=sa.text(rows))
    for name, columns in ENGAGEMENT_INDEXES.items():
        op.create_index(name, 'engagements', columns, unique=False, postgresql_include=ENGAGEMENT_COLUMNS)


def downgrade() -> None:
    for name in ENGAGEMENT_INDEXES:
        op.drop_index(name, table_name='engagements')
    for name in LOG_INDEXES:
        op.drop_index(name, table_name='step_log')
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.drop_column('closing')
        batch_op.drop_column('first_entry')
    for name, columns in OLD_INDEXES.items():
        op.create_index(name, 'step_log', columns, unique=False)
