"""client base: imports, sales, soft deletion, normalised name key

Revision ID: 0006
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

from expo.core.names import name_key

revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=600), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_clients_deleted_by_id_users'), 'users', ['deleted_by_id'], ['id'])
        batch_op.create_index('ix_clients_name_key', ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_clients_deleted_at'), ['deleted_at'], unique=False)
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.alter_column('name_key', server_default=None)
    op.create_index('ix_clients_email_lower', 'clients', [sa.text('lower(email)')], unique=False)
    _fill_name_keys()

    op.create_table('imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=100), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_imports_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imports'))
    )
    with op.batch_alter_table('imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imports_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_imports_state'), ['state'], unique=False)

    op.create_table('import_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_import_rows_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_import_rows_import_id_imports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_rows')),
    sa.UniqueConstraint('import_id', 'row', name=op.f('uq_import_rows_import_id_row'))
    )
    with op.batch_alter_table('import_rows', schema=None) as batch_op:
        batch_op.create_index('ix_import_rows_import_status_row', ['import_id', 'status', 'row'], unique=False)

    op.create_table('import_mappings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('header_key', sa.String(length=64), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_mappings')),
    sa.UniqueConstraint('kind', 'header_key', name=op.f('uq_import_mappings_kind_header_key'))
    )

    op.create_table('sales',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('sold_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('margin', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('number', sa.String(length=50), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_sales_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_sales_import_id_imports'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sales'))
    )
    with op.batch_alter_table('sales', schema=None) as batch_op:
        batch_op.create_index('ix_sales_client_sold_on', ['client_id', 'sold_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_import_id'), ['import_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sales_sold_on'), ['sold_on'], unique=False)


def _fill_name_keys() -> None:
    """Existing clients get their key (computed in Python: the rules are Python's), in batches."""
    connection = op.get_bind()
    clients = sa.table('clients', sa.column('id', sa.Integer), sa.column('name', sa.String),
                       sa.column('name_key', sa.String))
    last = 0
    while True:
        rows = connection.execute(sa.select(clients.c.id, clients.c.name).where(clients.c.id > last)
                                  .order_by(clients.c.id).limit(5000)).all()
        if not rows:
            return
        connection.execute(clients.update().where(clients.c.id == sa.bindparam('cid'))
                           .values(name_key=sa.bindparam('key')),
                           [{'cid': row.id, 'key': name_key(row.name)} for row in rows])
        last = rows[-1].id


def downgrade() -> None:
    op.drop_table('sales')
    op.drop_table('import_mappings')
    op.drop_table('import_rows')
    op.drop_table('imports')
    op.drop_index('ix_clients_email_lower', table_name='clients')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clients_deleted_at'))
        batch_op.drop_index('ix_clients_name_key')
        batch_op.drop_constraint(batch_op.f('fk_clients_deleted_by_id_users'), type_='foreignkey')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
        batch_op.drop_column('name_key')
