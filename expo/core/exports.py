"""Exporting a filtered client list (CSV or XLSX): only with the ``clients.export`` right, audited
with the filter and the number of rows, streamed so a whole base never sits in memory."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from babel.numbers import get_decimal_symbol
from flask_babel import get_locale, lazy_gettext as _l
from sqlalchemy import select

from expo.core import access, clock, db
from expo.core.access import Actor
from expo.core.errors import ValidationError
from expo.core.hooktypes import ListColumn
from expo.core.labels import label
from expo.core.models import Client, User
from expo.core.queries import labelled, with_joins
from expo.core.queries.clients import ClientListQuery, count_selected, selected_ids
from expo.core.services import audit

FORMATS = ("csv", "xlsx")
COLUMNS = (("id", _l("Id")), ("name", _l("Name")), ("tax_id", _l("Tax id")), ("region", _l("Region")),
           ("industry", _l("Industry")), ("channel", _l("Sales channel")), ("category", _l("Category")),
           ("website", _l("Website")), ("email", _l("E-mail")), ("phone", _l("Phone")), ("manager", _l("Manager")),
           ("created_at", _l("Created")))


def csv_delimiter() -> str:
    """The field separator Excel expects in the current locale: where the decimal mark is a comma
    (Russian) Excel's list separator is ``;``, elsewhere (English) it is ``,``."""
    locale = get_locale()
    return ";" if locale is not None and get_decimal_symbol(locale) == "," else ","


def firm_time(moment: datetime | None) -> datetime | None:
    """A stored (UTC) time as the firm's wall clock (``EXPO_TIMEZONE``), to the second, for a cell."""
    if moment is None:
        return None
    return clock.firm_time(moment).replace(tzinfo=None, microsecond=0)


def check_format(value: Any) -> str:
    if value not in FORMATS:
        raise ValidationError(fields={"format": str(_l("Must be one of: %(options)s.", options=", ".join(FORMATS)))})
    return value


def start_export(user: Actor, query: ClientListQuery, fmt: str) -> int:
    """Check the right, count the rows and audit the export (the caller commits, then streams)."""
    access.require_permission(user, "clients.export")
    count = count_selected(user, query)
    audit.record("export", "client", None, user, format=fmt, count=count, q=query.q, filters=query.filters)
    return count


def rows(user: Actor, query: ClientListQuery, columns: list[ListColumn]) -> Iterator[list]:
    """The header, then one row per client in the list's order, read in chunks."""
    yield [str(title) for _key, title in COLUMNS] + [str(column.label) for column in columns]
    stmt = (with_joins(select(Client, User.name, *labelled(columns)).outerjoin(User, User.id == Client.manager_id),
                       columns)
            .where(Client.id.in_(selected_ids(user, query))).order_by(Client.name, Client.id)
            .execution_options(yield_per=1000))
    for row in db.session().execute(stmt):
        client, manager = row[0], row[1]
        values = {key: getattr(client, key, None) for key, _title in COLUMNS}
        values["category"] = label("category", client.category)
        values["manager"] = manager
        values["created_at"] = firm_time(client.created_at)
        yield [values[key] for key, _title in COLUMNS] + list(row[2:])
