"""Writing the ``new`` and ``update`` rows of a checked batch, inside the import's one transaction.

New clients get their columns from the client service's own rules and are inserted with one
multi-row statement per batch (the ORM's unit of work would triple the time of a 100 000-row file);
when a plugin listens, they are then loaded in one query and announced (``client_created``,
``client_assigned``) like any other. Updates change only the fields the file fills (never the name
the row was matched by); contacts are added unless the client has them already. Sales and contacts
are inserted in one statement per batch. Loaded objects leave the session after each batch, so
memory stays flat however long the file.
"""
from __future__ import annotations

from sqlalchemy import func, insert, select, text

from expo.core import db
from expo.core.access import Actor
from expo.core.imports.checking import Checker, Verdict
from expo.core.models import Client, Contact, Sale, utcnow
from expo.core.plugins import has_listeners
from expo.core.services.clients import (CONTACT_FIELDS, announce_created, announce_updated, change_fields,
                                       new_client_values)


_CLIENT_COLUMNS = ("name", "name_search", "name_key", "tax_id", "region", "industry", "channel", "category",
                   "website", "email", "phone", "notes", "manager_id")


def _with_defaults(values: dict) -> dict:
    """Every column of the insert in every row (a multi-row statement needs the same keys)."""
    row = {key: values.get(key) for key in _CLIENT_COLUMNS}
    row["created_at"] = row["updated_at"] = utcnow()
    return row


def _insert_clients(session, values: list[dict]) -> list[int]:
    """Insert the rows; their new ids, in order.

    On PostgreSQL the ids are drawn from the sequence first and the rows go in by COPY: a
    multi-row ``INSERT … RETURNING`` of 1 000 rows costs psycopg more to build than the database
    to run. SQLite returns them from the multi-row insert cheaply.
    """
    table = Client.__table__
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(select(func.nextval("clients_id_seq")).select_from(
            func.generate_series(1, len(values)))).all()
        db.insert_many(table, [dict(row, id=client_id) for row, client_id in zip(values, ids)])
        return list(ids)
    return list(session.scalars(table.insert().returning(table.c.id, sort_by_parameter_order=True), values))


class Writer:
    # Every this many new clients, PostgreSQL re-reads the table's statistics: its planner still
    # believes the table as small as before the import and would scan it whole for each batch's
    # look-ups (e-mail, name key), which made a 100 000-row commit quadratic.
    ANALYZE_EVERY = 10_000

    def __init__(self, checker: Checker, user: Actor, import_id: int | None):
        self.checker, self.user, self.import_id = checker, user, import_id
        self.unanalysed = 0

    def write(self, verdicts: list[Verdict]) -> None:
        self._refresh_statistics(verdicts)
        if self.checker.kind == "sales":
            self._sales([v for v in verdicts if v.status == "new"])
            return
        session = db.session()
        written = self._new_clients([v for v in verdicts if v.status == "new"])
        written += self._updates([v for v in verdicts if v.status == "update" and v.same_as is None])
        for verdict in verdicts:
            if verdict.same_as is not None:
                verdict.client_id = self.checker.client_of_row[verdict.same_as]
        written += self._contacts([v for v in verdicts if v.status in ("new", "update") and v.contact])
        session.flush()
        for obj in written:
            session.expunge(obj)

    def _refresh_statistics(self, verdicts: list[Verdict]) -> None:
        self.unanalysed += sum(1 for verdict in verdicts if verdict.status == "new")
        session = db.session()
        if self.unanalysed >= self.ANALYZE_EVERY and session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE clients, contacts"))
            self.unanalysed = 0

    def _new_clients(self, rows: list[Verdict]) -> list:
        if not rows:
            return []
        session = db.session()
        values = [_with_defaults(new_client_values(dict(v.values), self.user)) for v in rows]
        ids = _insert_clients(session, values)
        for verdict, client_id in zip(rows, ids):
            verdict.client_id = client_id
            self.checker.client_of_row[verdict.row] = client_id
        if not (has_listeners("client_created") or has_listeners("client_assigned")):
            return []
        clients = {c.id: c for c in session.scalars(select(Client).where(Client.id.in_(ids)))}
        for client_id in ids:
            # The import is audited once, with its counts; each client's hooks fire as usual.
            announce_created(clients[client_id], self.user, audit_it=False)
        return list(clients.values())

    def _updates(self, rows: list[Verdict]) -> list:
        if not rows:
            return []
        clients = {c.id: c for c in db.session().scalars(
            select(Client).where(Client.id.in_({verdict.client_id for verdict in rows})))}
        changed = []
        for verdict in rows:
            client = clients[verdict.client_id]
            values = {k: value for k, value in verdict.values.items() if k != "name"}
            if client.tax_id:
                values.pop("tax_id", None)
            changes = change_fields(client, values)
            if changes:
                changed.append((client, changes))
        db.session().flush()
        for client, changes in changed:
            announce_updated(client, changes, self.user)
        return list(clients.values())

    def _contacts(self, rows: list[Verdict]) -> list:
        if not rows:
            return []
        ids = {verdict.client_id for verdict in rows}
        have = set()
        for client_id, name, email in db.session().execute(
                select(Contact.client_id, Contact.name, Contact.email).where(Contact.client_id.in_(ids))):
            have.update({(client_id, name.casefold()), (client_id, (email or "").casefold())})
        added = []
        for verdict in rows:
            contact = verdict.contact
            keys = {(verdict.client_id, contact["name"].casefold())}
            if contact.get("email"):
                keys.add((verdict.client_id, contact["email"].casefold()))
            if keys & have:
                continue
            have |= keys
            added.append({**dict.fromkeys(CONTACT_FIELDS), **contact, "client_id": verdict.client_id})
        db.insert_many(Contact.__table__, added)
        return []

    def _sales(self, rows: list[Verdict]) -> None:
        if rows:
            db.session().execute(insert(Sale), [
                {"client_id": v.client_id, "sold_on": v.values["sold_on"], "amount": v.values["amount"],
                 "margin": v.values.get("margin"), "number": v.values.get("number"), "import_id": self.import_id}
                for v in rows])
