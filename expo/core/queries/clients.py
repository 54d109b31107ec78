"""The client list: search, filters, sort (plugin columns included) and paging, all in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import access, db
from expo.core.errors import ValidationError
from expo.core.models import CATEGORIES, Client, User
from expo.core.queries import paging_from_args
from expo.core.validation import parse_id

FILTERS = ("region", "industry", "channel", "category", "manager_id")
CORE_SORTS = {"name": Client.name, "created_at": Client.created_at, "region": Client.region,
              "industry": Client.industry, "category": Client.category}


@dataclass
class ClientListQuery:
    q: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = "name"
    descending: bool = False
    offset: int = 0
    limit: int = 50

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_limit: int = 50) -> "ClientListQuery":
        """Read the query from request args; bad values raise a ValidationError naming them."""
        errors: dict[str, str] = {}
        filters: dict[str, Any] = {}
        for key in FILTERS:
            value = (args.get(key) or "").strip()
            if not value:
                continue
            if key == "manager_id":
                if parse_id(value) is None:
                    errors[key] = str(_l("Must be a whole number."))
                    continue
                filters[key] = parse_id(value)
            elif key == "category" and value not in CATEGORIES:
                errors[key] = str(_l("Must be one of: %(options)s.", options=", ".join(CATEGORIES)))
            else:
                filters[key] = value
        sort = (args.get("sort") or "name").strip()
        descending = sort.startswith("-")
        try:
            limit, offset = paging_from_args(args, default_limit)
        except ValidationError as problem:
            errors.update(problem.fields)
        if errors:
            raise ValidationError(fields=errors)
        return cls(q=(args.get("q") or "").strip()[:200], filters=filters, sort=sort.lstrip("-"),
                   descending=descending, offset=offset, limit=limit)


@dataclass
class ClientPage:
    rows: list[tuple[Client, dict[str, Any]]]  # each client with its plugin column values
    total: int


def list_clients(user: User, query: ClientListQuery, columns=()) -> ClientPage:
    """Two statements: the page (with plugin columns selected) and the total count."""
    sortable = dict(CORE_SORTS, **{c.key: c.expression for c in columns})
    if query.sort not in sortable:
        raise ValidationError(fields={"sort": str(_l("Must be one of: %(options)s.", options=", ".join(sortable)))})
    base = access.scope_clients(select(Client.id), user)
    if query.q:
        base = base.where(Client.name_search.contains(query.q.casefold(), autoescape=True)
                          | Client.tax_id.startswith(query.q, autoescape=True))
    for key, value in query.filters.items():
        base = base.where(getattr(Client, key) == value)
    ids = base.subquery()
    total = db.session().scalar(select(func.count()).select_from(ids))
    order = sortable[query.sort]
    order = order.desc() if query.descending else order.asc()
    stmt = (
        select(Client, *[c.expression.label(f"col_{c.key}") for c in columns])
        .where(Client.id.in_(select(ids.c.id)))
        .order_by(order.nulls_last(), Client.id)
        .offset(query.offset)
        .limit(query.limit)
    )
    rows = [
        (row[0], {c.key: row[i + 1] for i, c in enumerate(columns)})
        for row in db.session().execute(stmt)
    ]
    return ClientPage(rows, total or 0)


def filter_options(user: User) -> dict[str, list[str]]:
    """Distinct values for the filter drop-downs (one small query each, on indexed columns)."""
    options = {}
    for key in ("region", "industry", "channel"):
        column = getattr(Client, key)
        stmt = access.scope_clients(select(column).distinct().where(column.is_not(None)), user)
        options[key] = list(db.session().scalars(stmt.order_by(column)))
    return options
