"""Classifying the rows of an import: ``new``, ``update``, ``duplicate`` or ``invalid``.

Rows are checked in batches with a few queries each (never one per row), so 100 000 rows take
seconds. A row is about a client, found by, in this order, its tax id, its e-mail, its normalised
name (``expo.core.names``); a client found by e-mail or name must not have another tax id. A row
repeating an earlier row's client is a ``duplicate`` — unless it brings a contact the earlier rows
did not, which makes it an ``update`` adding that contact (a 1C export lists one contact per row).
A tax id held by a deleted client makes the row ``invalid``: restoring that client is the way.

Sales rows are ``new`` or, when the file repeats them or they are recorded already (same client,
and the same document number, or the same date and amount), ``duplicate``.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import db, validation as v
from expo.core.errors import ValidationError
from expo.core.imports import cells
from expo.core.imports.fields import fields_of
from expo.core.models import Client, Sale
from expo.core.names import name_key
from expo.core.services.clients import CLIENT_FIELDS, CONTACT_FIELDS, tax_id_taken_message

CLIENT_KEYS = ("name", "tax_id", "region", "industry", "channel", "email", "phone", "website", "notes")
SALE_RULES = {"client": v.text(200), "tax_id": v.tax_id(), "email": v.email(), "number": v.text(50)}


@dataclass
class Verdict:
    row: int
    status: str = "new"
    errors: dict[str, str] = field(default_factory=dict)
    label: str = ""
    values: dict[str, Any] = field(default_factory=dict)  # the client's (or the sale's) cleaned values
    contact: dict[str, Any] | None = None
    client_id: int | None = None  # the client matched (update, sale) or created (commit)
    same_as: int | None = None  # the earlier row whose client this row adds a contact to
    keys: tuple = ()  # ("t", tax id), ("e", e-mail), ("n", name key): how the row names its client

    def refuse(self, field_name: str, message) -> None:
        self.status = "invalid"
        self.errors[field_name] = str(message)

    def repeat(self, field_name: str, first_row: int) -> None:
        self.status = "duplicate"
        self.errors[field_name] = str(_l("Repeats row %(row)d.", row=first_row))


def _keys(tax_id, email, name) -> tuple:
    found = []
    if tax_id:
        found.append(("t", tax_id))
    if email:
        found.append(("e", email.lower()))
    if name and name_key(name):
        found.append(("n", name_key(name)))
    return tuple(found)


FIELD_OF_KEY = {"t": "tax_id", "e": "email", "n": "name"}


def same_company(tax_id: str | None, other_tax_id: str | None) -> bool:
    """Whether two records that share an e-mail or a name may be one company: not when both carry
    tax ids and those differ (another tax id is another company, whatever its name)."""
    return tax_id is None or other_tax_id is None or tax_id == other_tax_id


class ClientFinder:
    """Finds the clients a batch of rows names, with three queries for the whole batch."""

    def __init__(self, rows: Iterable[Verdict]):
        wanted = defaultdict(set)
        for verdict in rows:
            for kind, value in verdict.keys:
                wanted[kind].add(value)
        session = db.session()
        self.by_tax = {tax: (cid, deleted) for cid, tax, deleted in session.execute(
            select(Client.id, Client.tax_id, Client.deleted_at).where(db.one_of(Client.tax_id, wanted["t"])))} \
            if wanted["t"] else {}
        live = Client.deleted_at.is_(None)
        self.by = {"e": defaultdict(list), "n": defaultdict(list)}
        if wanted["e"]:
            for cid, email, tax in session.execute(select(Client.id, func.lower(Client.email), Client.tax_id)
                                                   .where(db.one_of(func.lower(Client.email), wanted["e"]), live)):
                self.by["e"][email].append((cid, tax))
        if wanted["n"]:
            for cid, key, tax in session.execute(select(Client.id, Client.name_key, Client.tax_id)
                                                 .where(db.one_of(Client.name_key, wanted["n"]), live)):
                self.by["n"][key].append((cid, tax))

    def find(self, verdict: Verdict) -> int | None:
        """The client the row names (None: a new one); refuses the row when it cannot tell."""
        keys = dict(verdict.keys)
        if "t" in keys and keys["t"] in self.by_tax:
            client_id, deleted_at = self.by_tax[keys["t"]]
            if deleted_at is not None:
                verdict.refuse("tax_id", tax_id_taken_message(deleted_at))
                return None
            return client_id
        for kind in ("e", "n"):
            if kind not in keys:
                continue
            candidates = [cid for cid, tax in self.by[kind].get(keys[kind], [])
                          if same_company(tax, keys.get("t"))]
            if len(candidates) == 1:
                return candidates[0]
            if candidates:
                verdict.refuse(FIELD_OF_KEY[kind], _l("Matches %(n)d clients: add a tax id to tell them apart.",
                                                      n=len(candidates)))
                return None
        return None


class Checker:
    """Checks the batches of one file in order, remembering what its earlier rows claimed."""

    def __init__(self, kind: str, mapping: dict[str, int]):
        self.kind = kind
        self.mapping = mapping
        self.fields = fields_of(kind)
        self.first_row: dict[tuple, int] = {}  # a client key → the first row naming it
        self.tax_of_row: dict[int, str | None] = {}  # a first row → the tax id it (or a repeat) gave
        self.row_of_client: dict[int, int] = {}  # an existing client → the first row matching it
        self.client_of_row: dict[int, int] = {}  # a first row → its client (known once written)
        self.contacts: set[tuple[int, str]] = set()  # (first row, contact) already brought
        self.sales: dict[tuple, int] = {}  # a sale's key → the first row bringing it

    # --- one row ------------------------------------------------------------------------------

    def parse(self, number: int, row: list) -> Verdict | None:
        """The row's typed and validated values; None for a row with nothing in the mapped columns."""
        raw = {f: row[c - 1] if c - 1 < len(row) else None for f, c in self.mapping.items()}
        if all(cells.is_blank(value) for value in raw.values()):
            return None
        verdict = Verdict(number)
        typed = {}
        for key, value in raw.items():
            if cells.is_blank(value):
                continue
            try:
                typed[key] = self.fields[key].parse(value)
            except v.Invalid as problem:
                verdict.refuse(key, problem.message)
        if self.kind == "clients":
            self._clean_client(verdict, typed)
        else:
            self._clean_sale(verdict, typed)
        return verdict

    def _clean(self, verdict: Verdict, rules, values: dict, prefix: str = "") -> dict:
        try:
            return v.clean(rules, values, partial=True)
        except ValidationError as problem:
            for key, message in problem.fields.items():
                verdict.refuse(prefix + key, message)
            return {}

    def _clean_client(self, verdict: Verdict, typed: dict) -> None:
        verdict.values = self._clean(verdict, CLIENT_FIELDS, {k: typed[k] for k in CLIENT_KEYS if k in typed})
        contact = {k.removeprefix("contact_"): typed[k] for k in typed if k.startswith("contact_")}
        if contact:
            if "name" not in contact:
                verdict.refuse("contact_name", _l("A contact needs a name."))
            verdict.contact = self._clean(verdict, CONTACT_FIELDS, contact, "contact_") or None
        values = verdict.values
        verdict.label = values.get("name") or typed.get("name") or values.get("tax_id") or ""
        verdict.keys = _keys(values.get("tax_id"), values.get("email"), values.get("name"))

    def _clean_sale(self, verdict: Verdict, typed: dict) -> None:
        values = self._clean(verdict, SALE_RULES, {k: typed[k] for k in SALE_RULES if k in typed})
        for key in ("sold_on", "amount"):
            if key not in typed and key not in verdict.errors:
                verdict.refuse(key, _l("This field is required."))
        values.update({k: typed[k] for k in ("sold_on", "amount", "margin") if k in typed})
        verdict.values = values
        verdict.label = values.get("client") or values.get("tax_id") or values.get("email") or ""
        verdict.keys = _keys(values.get("tax_id"), values.get("email"), values.get("client"))
        if not verdict.keys and verdict.status != "invalid":
            verdict.refuse("client", _l("Name the client: its name, tax id or e-mail."))

    # --- a batch ------------------------------------------------------------------------------

    def check(self, batch: list[tuple[int, list]]) -> list[Verdict]:
        verdicts = [verdict for verdict in (self.parse(n, row) for n, row in batch) if verdict is not None]
        valid = [verdict for verdict in verdicts if verdict.status != "invalid"]
        if self.kind == "clients":
            self._classify_clients(valid)
        else:
            self._classify_sales(valid)
        return verdicts

    def _contact_key(self, verdict: Verdict) -> str | None:
        if not verdict.contact:
            return None
        return (verdict.contact.get("email") or verdict.contact["name"]).casefold()

    def _classify_clients(self, rows: list[Verdict]) -> None:
        finder = ClientFinder(rows)  # one look-up for the batch; the rows are then taken in order
        for verdict in rows:
            if not verdict.keys:
                verdict.refuse("name", _l("This field is required."))
                continue
            field_name = FIELD_OF_KEY[verdict.keys[0][0]]
            earlier, matched_by = self._earlier(verdict)
            if earlier is not None:
                self._remember(verdict, earlier)
                self._repeat(verdict, earlier, matched_by)
                continue
            client_id = finder.find(verdict)
            if verdict.status == "invalid":
                continue
            if client_id is not None and client_id in self.row_of_client:
                self._repeat(verdict, self.row_of_client[client_id], field_name)
                continue
            if client_id is None and "name" not in verdict.values:
                verdict.refuse("name", _l("A new client needs a name."))
                continue
            verdict.status = "new" if client_id is None else "update"
            verdict.client_id = client_id
            self._remember(verdict, verdict.row)
            if client_id is not None:
                self.row_of_client[client_id] = verdict.row
                self.client_of_row[verdict.row] = client_id
            if (contact := self._contact_key(verdict)) is not None:
                self.contacts.add((verdict.row, contact))

    def _earlier(self, verdict: Verdict) -> tuple[int | None, str]:
        """The earlier row of this file that names the same client, by the rules the database
        look-up follows (tax id, then e-mail, then name; never across two different tax ids)."""
        keys = dict(verdict.keys)
        tax_id = keys.get("t")
        if tax_id is not None and ("t", tax_id) in self.first_row:
            return self.first_row[("t", tax_id)], "tax_id"
        for kind in ("e", "n"):
            earlier = self.first_row.get((kind, keys.get(kind)))
            if earlier is not None and same_company(self.tax_of_row.get(earlier), tax_id):
                return earlier, FIELD_OF_KEY[kind]
        return None, ""

    def _remember(self, verdict: Verdict, first_row: int) -> None:
        """Later rows naming the client by any of this row's keys are repeats of ``first_row``."""
        for key in verdict.keys:
            self.first_row.setdefault(key, first_row)
        if self.tax_of_row.get(first_row) is None:
            self.tax_of_row[first_row] = dict(verdict.keys).get("t")

    def _repeat(self, verdict: Verdict, first_row: int, field_name: str) -> None:
        contact = self._contact_key(verdict)
        if contact is not None and (first_row, contact) not in self.contacts:
            self.contacts.add((first_row, contact))
            verdict.status, verdict.same_as = "update", first_row
            verdict.client_id = self.client_of_row.get(first_row)
        else:
            verdict.repeat(field_name, first_row)

    def _classify_sales(self, rows: list[Verdict]) -> None:
        finder = ClientFinder(rows)
        found = []
        for verdict in rows:
            client_id = finder.find(verdict)
            if verdict.status == "invalid":
                continue
            if client_id is None:
                verdict.refuse(FIELD_OF_KEY[verdict.keys[0][0]] if verdict.keys[0][0] != "n" else "client",
                               _l("No such client."))
                continue
            verdict.client_id = client_id
            found.append(verdict)
        recorded = self._recorded_sales(found)
        for verdict in found:
            keys = self._sale_keys(verdict)
            earlier = next((self.sales[k] for k in keys if k in self.sales), None)
            if earlier is not None:
                verdict.repeat("sold_on", earlier)
            elif any(k in recorded for k in keys):
                verdict.status = "duplicate"
                verdict.errors["sold_on"] = str(_l("Already recorded."))
            else:
                verdict.status = "new"
                for key in keys:
                    self.sales.setdefault(key, verdict.row)

    @staticmethod
    def _sale_keys(verdict: Verdict) -> tuple:
        values = verdict.values
        if values.get("number"):
            return ((verdict.client_id, "number", values["number"]),)
        return ((verdict.client_id, values["sold_on"], values["amount"]),)

    def _recorded_sales(self, rows: list[Verdict]) -> set[tuple]:
        if not rows:
            return set()
        days = [verdict.values["sold_on"] for verdict in rows]
        recorded = set()
        for client_id, sold_on, amount, number in db.session().execute(
                select(Sale.client_id, Sale.sold_on, Sale.amount, Sale.number)
                .where(Sale.client_id.in_({verdict.client_id for verdict in rows}),
                       Sale.sold_on.between(min(days), max(days)))):
            recorded.add((client_id, "number", number) if number else (client_id, sold_on, amount))
        return recorded
