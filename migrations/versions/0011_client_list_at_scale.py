"""The client list at scale: its orders by name and by date keyed with the id (keyset paging),
substring search by trigram indexes on PostgreSQL

Revision ID: 0011
Revises: 0010

Keyset paging (docs/decisions/0023) reads a page as ``(name_key, id) > (:last)`` in the index's
order: the name and date indexes now end with the id so the order is the index's own, both ways.
``ix_clients_name_key`` also carries ``deleted_at`` on PostgreSQL, so the live clients of a page
are checked in the index.

A manager's list is their own clients (``manager_id = me``), in any of the list's orders: each
order has an index behind the manager too, ``(manager_id, column, name_key, id)`` and
``(manager_id, created_at, id)``. Without them SQLite sorted all of a manager's clients for a page
(136 ms for 12 000), and PostgreSQL counted a manager's clients of one region by reading them.

Search is "the name contains q, or the tax id starts with it": ``LIKE '%q%'`` read every client
(99–127 ms at 200 000). ``pg_trgm``'s GIN indexes answer it for three characters or more, on any
collation; shorter queries scan, as before. ``pg_trgm`` is a trusted extension (PostgreSQL 13+):
the database's owner may create it. SQLite keeps the scan (50 000 clients: a few milliseconds).
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TRIGRAM_COLUMNS = ("name_search", "tax_id")
MANAGER_ORDERS = {"region": ["region", "name_key", "id"], "industry": ["industry", "name_key", "id"],
                  "category": ["category", "name_key", "id"], "created": ["created_at", "id"]}


def upgrade() -> None:
    op.drop_index("ix_clients_name_key", table_name="clients")
    op.create_index("ix_clients_name_key", "clients", ["name_key", "id"], postgresql_include=["deleted_at"])
    op.drop_index("ix_clients_created_at", table_name="clients")
    op.create_index("ix_clients_created_at", "clients", ["created_at", "id"])
    for name, columns in MANAGER_ORDERS.items():
        op.create_index(f"ix_clients_manager_{name}", "clients", ["manager_id", *columns],
                        postgresql_include=["deleted_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in TRIGRAM_COLUMNS:
            op.create_index(f"ix_clients_{column}_trgm", "clients", [column], postgresql_using="gin",
                            postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for column in TRIGRAM_COLUMNS:
            op.drop_index(f"ix_clients_{column}_trgm", table_name="clients")
    for name in MANAGER_ORDERS:
        op.drop_index(f"ix_clients_manager_{name}", table_name="clients")
    op.drop_index("ix_clients_created_at", table_name="clients")
    op.create_index("ix_clients_created_at", "clients", ["created_at"])
    op.drop_index("ix_clients_name_key", table_name="clients")
    op.create_index("ix_clients_name_key", "clients", ["name_key"])
