"""SQLite: the client search by trigrams (FTS5), as PostgreSQL's pg_trgm indexes answer it (0011)

Revision ID: 0015
Revises: 0014

The list's search is a substring of the lower-cased name (``name_search``). SQLite answered it by
reading every name: some 80 ms of SQL at 50 000 clients (docs/performance.md). FTS5's trigram
tokenizer (SQLite 3.34 and newer) indexes every three characters of the name, so a search of
three characters or more reads the index; shorter ones still read the names, as correct.

``clients_name_trigrams`` is an external-content FTS5 table over ``clients.name_search`` (the text
is kept once, in ``clients``), kept in step by three triggers. Where SQLite lacks FTS5 or the
trigram tokenizer nothing is made and the search reads the names, as before.

A later migration that rebuilds ``clients`` on SQLite (Alembic's batch mode copies the table and
drops the old one) drops these triggers with it: make them again there
(``tests/test_client_search.py`` fails when they are missing).
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLE = "clients_name_trigrams"  # expo.core.models.clients.NAME_TRIGRAMS (written out: a migration stays as it was)
TRIGGERS = {
    "insert": f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON clients BEGIN
        INSERT INTO {TABLE}(rowid, name_search) VALUES (new.id, new.name_search);
    END""",
    "delete": f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON clients BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, name_search) VALUES ('delete', old.id, old.name_search);
    END""",
    "update": f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF name_search ON clients BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, name_search) VALUES ('delete', old.id, old.name_search);
        INSERT INTO {TABLE}(rowid, name_search) VALUES (new.id, new.name_search);
    END""",
}


def _has_trigrams(connection) -> bool:
    try:
        connection.exec_driver_sql("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
    except sa.exc.OperationalError:  # no FTS5, or SQLite older than 3.34
        return False
    connection.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite" or not _has_trigrams(connection):
        return
    # name_search is lower-cased already (casefold, in Python): a case-sensitive index is exact
    op.execute(f"CREATE VIRTUAL TABLE {TABLE} USING fts5(name_search, content='clients', content_rowid='id', "
               f"tokenize='trigram case_sensitive 1')")
    for ddl in TRIGGERS.values():
        op.execute(ddl)
    op.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_{name}")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
