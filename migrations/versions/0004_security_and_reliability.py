"""security and reliability: unique tax ids and default scenario, login sessions, token expiry and
revocation, the job outbox

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 09:00:00

Older data may hold clients that share a tax id (the check was Python-only, and concurrent requests
slipped past it). The unique index cannot be built over them, and guessing which client is "the
real one" is not the migration's to decide, so: the oldest client (lowest id) keeps the tax id,
the later ones lose it, and each change is written to the audit trail (action ``tax_id_cleared``,
with the tax id and the client that kept it) for a planner to merge or correct. Likewise, if more
than one scenario is marked default, the newest keeps the mark. See docs/decisions/0014.
"""
import logging

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def _clear_duplicate_tax_ids() -> None:
    connection = op.get_bind()
    clients = sa.table("clients", sa.column("id", sa.Integer), sa.column("tax_id", sa.String))
    audit = sa.table("audit_events", sa.column("at", sa.DateTime(timezone=True)), sa.column("user_id", sa.Integer),
                     sa.column("action", sa.String), sa.column("object_type", sa.String),
                     sa.column("object_id", sa.Integer), sa.column("details", sa.JSON))
    keepers = (sa.select(clients.c.tax_id, sa.func.min(clients.c.id).label("kept"))
               .where(clients.c.tax_id.is_not(None)).group_by(clients.c.tax_id)
               .having(sa.func.count() > 1).subquery())
    losers = connection.execute(sa.select(clients.c.id, clients.c.tax_id, keepers.c.kept)
                                .join(keepers, clients.c.tax_id == keepers.c.tax_id)
                                .where(clients.c.id != keepers.c.kept).order_by(clients.c.id)).all()
    if not losers:
        return
    now = sa.func.current_timestamp()
    for client_id, tax_id, kept in losers:
        connection.execute(clients.update().where(clients.c.id == client_id).values(tax_id=None))
        connection.execute(audit.insert().values(at=now, user_id=None, action="tax_id_cleared", object_type="client",
                                                 object_id=client_id, details={"tax_id": tax_id, "kept_by": kept}))
    log.warning("cleared the tax id of %d client(s) that repeated an older client's; see the audit log "
                "(action tax_id_cleared)", len(losers))


def _one_default_scenario() -> None:
    connection = op.get_bind()
    scenarios = sa.table("scenarios", sa.column("id", sa.Integer), sa.column("is_default", sa.Boolean))
    newest = connection.execute(sa.select(sa.func.max(scenarios.c.id)).where(scenarios.c.is_default)).scalar()
    if newest is not None:
        connection.execute(scenarios.update().where(scenarios.c.is_default, scenarios.c.id != newest)
                           .values(is_default=False))


def upgrade() -> None:
    _clear_duplicate_tax_ids()
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index('ix_clients_tax_id')
        batch_op.create_index('uq_clients_tax_id', ['tax_id'], unique=True,
                              sqlite_where=sa.text('tax_id IS NOT NULL'), postgresql_where=sa.text('tax_id IS NOT NULL'))

    _one_default_scenario()
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.create_index('uq_scenarios_default', ['is_default'], unique=True,
                              sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('login_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_login_sessions_token_hash'))
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)

    op.create_table('job_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('func', sa.String(length=200), nullable=False),
    sa.Column('kwargs', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_outbox'))
    )
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_outbox_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('job_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_outbox_created_at'))
    op.drop_table('job_outbox')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('label')
    with op.batch_alter_table('scenarios', schema=None) as batch_op:
        batch_op.drop_index('uq_scenarios_default')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index('uq_clients_tax_id')
        batch_op.create_index('ix_clients_tax_id', ['tax_id'], unique=False)
