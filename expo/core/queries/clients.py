"""The client list: search, filters, sort (plugin columns included) and paging, all in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from expo.core import access, clock, db
from expo.core.errors import ValidationError
from expo.core.hooktypes import ListFilter
from expo.core.models import CATEGORIES, Activity, Client, Engagement, Exhibition, User
from expo.core.queries import (Sorting, labelled, order_by, paging_from_args, plugin_values, sortable_columns,
                               with_joins)
from expo.core.validation import parse_id

FILTERS = ("region", "industry", "channel", "category", "manager_id")
DEFAULT_SORTING = Sorting("name")
CORE_SORTS = {"name": Client.name, "created_at": Client.created_at, "region": Client.region,
              "industry": Client.industry, "category": Client.category}


@dataclass
class ClientListQuery:
    q: str = ""
    filters: dict[str, Any] = field(default_factory=dict)  # core and plugin filters, as URL parameters
    sorting: Sorting = DEFAULT_SORTING
    offset: int = 0
    limit: int = 50
    conditions: list = field(default_factory=list)  # the plugin filters' SQL conditions

    @classmethod
    def from_args(cls, args: Mapping[str, str], default_limit: int = 50,
                  default_sorting: Sorting = DEFAULT_SORTING,
                  plugin_filters: Iterable[ListFilter] = ()) -> "ClientListQuery":
        """Read the query from request args; bad values raise a ValidationError naming them."""
        errors: dict[str, str] = {}
        filters: dict[str, Any] = {}
        conditions = []
        for extra in plugin_filters:
            value = (args.get(extra.key) or "").strip()
            if not value or extra.key in FILTERS:
                continue
            if value not in {str(choice) for choice, _label in extra.choices}:
                errors[extra.key] = str(_l("Must be one of: %(options)s.",
                                           options=", ".join(str(choice) for choice, _label in extra.choices)))
                continue
            filters[extra.key] = value
            conditions.append(extra.condition(value))
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
        try:
            limit, offset = paging_from_args(args, default_limit)
        except ValidationError as problem:
            errors.update(problem.fields)
        if errors:
            raise ValidationError(fields=errors)
        return cls(q=(args.get("q") or "").strip()[:200], filters=filters,
                   sorting=Sorting.from_args(args, default_sorting), offset=offset, limit=limit,
                   conditions=conditions)


@dataclass
class ClientPage:
    rows: list[tuple[Client, dict[str, Any]]]  # each client with its plugin column values
    total: int


def list_query(args: Mapping[str, str], user: User, default_limit: int = 50) -> tuple[ClientListQuery, list, list]:
    """The list's query from URL or form parameters, with the plugins' columns and filters
    (the page, its export and the API read the list the same way)."""
    from expo.core.plugins import collect
    from expo.core.queries import default_sorting

    columns = collect("list_columns", list_name="clients", user=user)
    extra = collect("list_filters", list_name="clients", user=user)
    query = ClientListQuery.from_args(args, default_limit=default_limit,
                                      default_sorting=default_sorting(columns, DEFAULT_SORTING), plugin_filters=extra)
    return query, columns, extra


def selected_ids(user: User, query: ClientListQuery) -> Select:
    """The ids of the clients the list shows (search and filters, all pages): also what an export
    writes and a bulk deletion deletes."""
    base = access.scope_clients(select(Client.id), user)
    if query.q:
        base = base.where(Client.name_search.contains(query.q.casefold(), autoescape=True)
                          | Client.tax_id.startswith(query.q, autoescape=True))
    for key, value in query.filters.items():
        if key in FILTERS:
            base = base.where(getattr(Client, key) == value)
    return base.where(*query.conditions)


def count_selected(user: User, query: ClientListQuery) -> int:
    return db.session().scalar(select(func.count()).select_from(selected_ids(user, query).subquery())) or 0


def list_clients(user: User, query: ClientListQuery, columns=()) -> ClientPage:
    """Two statements: the page (with plugin columns selected) and the total count."""
    order = order_by(sortable_columns(CORE_SORTS, columns), query.sorting, Client.id)
    ids = selected_ids(user, query).subquery()
    total = db.session().scalar(select(func.count()).select_from(ids))
    stmt = (
        with_joins(select(Client, *labelled(columns)), columns)
        .where(Client.id.in_(select(ids.c.id)))
        .order_by(*order)
        .offset(query.offset)
        .limit(query.limit)
    )
    rows = [(row[0], plugin_values(row, columns)) for row in db.session().execute(stmt)]
    return ClientPage(rows, total or 0)


def filter_options(user: User) -> dict[str, list[str]]:
    """Distinct values for the filter drop-downs (one small query each, on indexed columns)."""
    options = {}
    for key in ("region", "industry", "channel"):
        column = getattr(Client, key)
        stmt = access.scope_clients(select(column).distinct().where(column.is_not(None)), user)
        options[key] = list(db.session().scalars(stmt.order_by(column)))
    return options


@dataclass
class CardDetails:
    """What a client's card shows beside the client (three statements)."""

    engagements: list[Engagement]  # those the user may see, newest first
    activities: list[Activity]  # the newest ``activity_limit``
    exhibitions_on_offer: list[Exhibition]  # not over yet, and not engaged for already


def card_details(user: User, client: Client, activity_limit: int) -> CardDetails:
    session = db.session()
    engagements = session.scalars(
        access.scope_engagements(select(Engagement), user).where(Engagement.client_id == client.id)
        .order_by(Engagement.opened_at.desc())).all()
    activities = session.scalars(
        access.scope_activities(select(Activity), user).where(Activity.client_id == client.id)
        .order_by(Activity.occurred_at.desc()).limit(activity_limit)).all()
    # Every engagement of the client counts as taken, including ones this user may not see: a
    # second engagement for the same exhibition would be refused anyway.
    taken = select(Engagement.exhibition_id).where(Engagement.client_id == client.id)
    on_offer = session.scalars(
        select(Exhibition).where(Exhibition.ends_on >= clock.today(), Exhibition.id.not_in(taken))
        .order_by(Exhibition.starts_on)).all()
    return CardDetails(engagements, activities, on_offer)
