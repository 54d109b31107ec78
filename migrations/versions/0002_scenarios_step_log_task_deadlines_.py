"""scenarios, step log, task deadlines, notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:56:29.298201
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('url', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at', 'created_at'], unique=False)

    op.create_table('scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lineage_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scenarios_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenarios')),
    sa.UniqueConstraint('lineage_id', 'version', name=op.f('uq_scenarios_lineage_id_version'))
    )
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenarios_lineage_id'), ['lineage_id'], unique=False)

    op.create_table('scenario_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=100), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_scenario_results_scenario_id_scenarios'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_results')),
    sa.UniqueConstraint('scenario_id', 'key', name=op.f('uq_scenario_results_scenario_id_key'))
    )
    op.create_table('scenario_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_scenario_steps_scenario_id_scenarios'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_steps')),
    sa.UniqueConstraint('scenario_id', 'key', name=op.f('uq_scenario_steps_scenario_id_key'))
    )
    op.create_table('scenario_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=True),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('hard', sa.Boolean(), nullable=False),
    sa.Column('escalate_to', sa.String(length=20), nullable=True),
    sa.Column('document_template', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['step_id'], ['scenario_steps.id'], name=op.f('fk_scenario_actions_step_id_scenario_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_actions'))
    )
    with op.batch_alter_table('scenario_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scenario_actions_step_id'), ['step_id'], unique=False)

    op.create_table('scenario_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('next_step', sa.String(length=100), nullable=True),
    sa.Column('result', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['step_id'], ['scenario_steps.id'], name=op.f('fk_scenario_outcomes_step_id_scenario_steps'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scenario_outcomes')),
    sa.UniqueConstraint('step_id', 'key', name=op.f('uq_scenario_outcomes_step_id_key'))
    )
    op.create_table('step_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('engagement_id', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('step', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=100), nullable=True),
    sa.Column('result', sa.String(length=100), nullable=True),
    sa.Column('result_kind', sa.String(length=20), nullable=True),
    sa.Column('result_reason', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['engagement_id'], ['engagements.id'], name=op.f('fk_step_log_engagement_id_engagements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_step_log_entered_by_id_users')),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'], name=op.f('fk_step_log_exhibition_id_exhibitions')),
    sa.ForeignKeyConstraint(['left_by_id'], ['users.id'], name=op.f('fk_step_log_left_by_id_users')),
    sa.ForeignKeyConstraint(['manager_id'], ['users.id'], name=op.f('fk_step_log_manager_id_users')),
    sa.ForeignKeyConstraint(['scenario_id'], ['scenarios.id'], name=op.f('fk_step_log_scenario_id_scenarios')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_step_log'))
    )
    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.create_index('ix_step_log_engagement', ['engagement_id', 'entered_at'], unique=False)
        batch_op.create_index('ix_step_log_funnel_exhibition', ['exhibition_id', 'scenario_id', 'step', 'result_kind', 'result_reason'], unique=False)
        batch_op.create_index('ix_step_log_funnel_manager', ['manager_id', 'scenario_id', 'step', 'result_kind', 'result_reason'], unique=False)
        batch_op.create_index('ix_step_log_funnel_scenario', ['scenario_id', 'step', 'result_kind', 'result_reason'], unique=False)

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.alter_column('name_search',
               existing_type=sa.VARCHAR(length=200),
               type_=sa.String(length=600),
               existing_nullable=False)

    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stalled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_engagements_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_engagements_scenario_id_scenarios'), 'scenarios', ['scenario_id'], ['id'])

    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('action_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('step_log_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('instructions', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('escalate_to', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('assignee_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index('ix_tasks_hard_open', ['hard_deadline', 'done_at', 'escalated_at', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_step_log_id'), ['step_log_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_tasks_action_id_scenario_actions'), 'scenario_actions', ['action_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_tasks_step_log_id_step_log'), 'step_log', ['step_log_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_tasks_step_log_id_step_log'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_tasks_action_id_scenario_actions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_tasks_step_log_id'))
        batch_op.drop_index('ix_tasks_hard_open')
        batch_op.alter_column('assignee_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('escalated_at')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('escalate_to')
        batch_op.drop_column('instructions')
        batch_op.drop_column('step_log_id')
        batch_op.drop_column('action_id')

    with op.batch_alter_table('engagements', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_engagements_scenario_id_scenarios'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_engagements_scenario_id'))
        batch_op.drop_column('stalled_at')

    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.alter_column('name_search',
               existing_type=sa.String(length=600),
               type_=sa.VARCHAR(length=200),
               existing_nullable=False)

    with op.batch_alter_table('step_log', schema=None) as batch_op:
        batch_op.drop_index('ix_step_log_funnel_scenario')
        batch_op.drop_index('ix_step_log_funnel_manager')
        batch_op.drop_index('ix_step_log_funnel_exhibition')
        batch_op.drop_index('ix_step_log_engagement')

    op.drop_table('step_log')
    op.drop_table('scenario_outcomes')
    with op.batch_alter_table('scenario_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenario_actions_step_id'))

    op.drop_table('scenario_actions')
    op.drop_table('scenario_steps')
    op.drop_table('scenario_results')
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scenarios_lineage_id'))

    op.drop_table('scenarios')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')

    op.drop_table('notifications')
