"""The client list: search, filters, sort (plugin columns included) and paging, all in SQL."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping, NamedTuple

from weakref import WeakKeyDictionary

from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, Select, String, bindparam, column, func, literal_column, select, table
from sqlalchemy.orm import aliased

from expo.core import access, db
from expo.core.errors import ValidationError
from expo.core.hooktypes import ListFilter
from expo.core.models import (CATEGORIES, PICK_LIST_FIELDS, Activity, Client, Engagement, PickListItem, ScenarioStep,
                               Task, User)
from expo.core.models.clients import NAME_TRIGRAMS
from expo.core.queries import Sorting, keyset, labelled, paging_from_args, plugin_values, with_joins
from expo.core.validation import parse_id

FILTERS = ("region", "industry", "channel", "category", "manager_id")
DEFAULT_SORTING = Sorting("name")
# By name is by the name people mean: without its legal form and quotes («ООО «Ромашка»» among
# the Р, not the О), the key every write keeps (expo.core.names.name_key).
CORE_SORTS = {"name": Client.name_key, "created_at": Client.created_at, "region": Client.region,
              "industry": Client.industry, "category": Client.category}


@dataclass
class ClientListQuery:
    q: str = ""
    filters: dict[str, Any] = field(default_factory=dict)  # core and plugin filters, as URL parameters
    sorting: Sorting = DEFAULT_SORTING
    offset: int = 0
    limit: int = 50
    conditions: list = field(default_factory=list)  # the plugin filters' SQL conditions
    cursor: keyset.Cursor | None = None  # where the page starts, when not by offset

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
        sorting = Sorting.from_args(args, default_sorting)
        cursor = None
        if (args.get("cursor") or "").strip():
            try:
                cursor = keyset.Cursor.parse(args["cursor"].strip()[:2000], sorting.param)
            except ValidationError as problem:
                errors.update(problem.fields)
        if errors:
            raise ValidationError(fields=errors)
        return cls(q=(args.get("q") or "").strip()[:200], filters=filters, sorting=sorting, offset=offset,
                   limit=limit, conditions=conditions, cursor=cursor)


class ClientLine(NamedTuple):
    """A client as the list page shows it: plain values (fifty client objects and their managers
    cost the page more than its SQL, docs/performance.md)."""

    id: int
    name: str
    tax_id: str | None
    region: str | None
    industry: str | None
    channel: str | None
    category: str
    manager_name: str | None


_LIST_MANAGER = aliased(User, name="list_manager")  # its own name: a plugin column may join User
_LINE_COLUMNS = (Client.id, Client.name, Client.tax_id, Client.region, Client.industry, Client.channel,
                 Client.category, _LIST_MANAGER.name)


@dataclass
class ClientPage:
    rows: list[tuple[Client | ClientLine, dict[str, Any]]]  # each client with its plugin column values
    total: int
    work: dict[int, "ClientWork"] = field(default_factory=dict)  # by client id
    position: int = 0  # the offset of the first row
    numbered: bool = True  # read by offset: the pager numbers the pages near it
    next_cursor: str | None = None  # the URL tokens of the next, previous and last pages
    previous_cursor: str | None = None
    last_cursor: str | None = None


@dataclass
class ClientWork:
    """Where the work with a client stands, as the list shows it beside the client."""

    step: str | None  # the title of the current step of the newest open engagement
    last_contact: Any  # when the last activity happened (UTC), or None
    task_due: Any  # the due date and title of the next open task
    task_title: str | None


def _work_columns(user: User) -> tuple:
    """Correlated subqueries (one value each, per row of the page's one statement), so the page
    stays two statements however many rows it shows. A user who sees only their own clients sees
    only what their own engagements hold, as on the card (``access.scope_activities``)."""
    return _work_columns_of(None if user.sees_all_clients else user.id)


# Built once per reader (one for everyone who sees all clients, one per manager): building them,
# aliases and all, took longer than the page's SQL (docs/performance.md, "Fixed cost per request").
@lru_cache(maxsize=512)
def _work_columns_of(manager_id: int | None) -> tuple:
    own_only = manager_id is not None
    step = (select(ScenarioStep.title).join(Engagement, (ScenarioStep.scenario_id == Engagement.scenario_id)
                                           & (ScenarioStep.key == Engagement.step))
            .where(Engagement.client_id == Client.id, Engagement.state == "open"))
    if own_only:
        # "+ 0": the client's open engagements are a few rows of ix_engagements_open; SQLite, without
        # statistics, read all of the manager's open engagements by (manager_id, state) instead,
        # for every row of the page (223 ms a page for a manager of 12 000 clients; 13 ms so).
        step = step.where(Engagement.manager_id + 0 == manager_id)
    step = step.order_by(Engagement.opened_at.desc(), Engagement.id.desc()).limit(1)
    contact = select(func.max(Activity.occurred_at)).where(Activity.client_id == Client.id)
    task = select(Task).where(Task.client_id == Client.id, Task.done_at.is_(None), Task.cancelled_at.is_(None))
    if own_only:
        contact = contact.where(access.activity_visible_to(manager_id))
        task = task.where(Task.engagement_id.is_(None) | access.own_engagement(Task.engagement_id, manager_id))
    task = task.order_by(Task.due_on, Task.id).limit(1)
    return (step.scalar_subquery().label("work_step"), contact.scalar_subquery().label("work_last_contact"),
            task.with_only_columns(Task.due_on).scalar_subquery().label("work_task_due"),
            task.with_only_columns(Task.title).scalar_subquery().label("work_task_title"))


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


def _narrowed(statement: Select, user: User, query: ClientListQuery) -> Select:
    """``statement`` kept to the clients the list shows: the user's scope, the search, the filters."""
    statement = access.scope_clients(statement, user)
    if query.q:
        statement = statement.where(search_condition(query.q))
    for key, value in query.filters.items():
        if key in FILTERS:
            statement = statement.where(getattr(Client, key) == value)
    return statement.where(*query.conditions)


def search_condition(q: str):
    """A substring of the name, or the start of the tax id (only digits can start one). PostgreSQL
    answers both from trigram indexes (migration 0011), SQLite the name from its FTS5 trigram
    index (0015) and the tax id from its index by range; a name search of fewer than three
    characters (no trigram to look up) or a database without those indexes reads the names, as
    correct."""
    wanted = q.casefold()
    if len(wanted) >= 3 and _sqlite_trigrams():
        phrase = '"' + wanted.replace('"', '""') + '"'  # an FTS5 string: any characters, quotes doubled
        condition = Client.id.in_(select(_TRIGRAMS.c.rowid).where(
            literal_column(_TRIGRAMS.name).op("MATCH")(bindparam(None, phrase, type_=String))))
    else:
        condition = Client.name_search.contains(wanted, autoescape=True)
    if q.isdigit():
        # SQLite compares text as bytes, so the tax ids that start with the digits are one range of
        # its index (its LIKE reads every row); PostgreSQL's collation may not order so: trigrams.
        prefix = (Client.tax_id >= q) & (Client.tax_id < q + "\U0010ffff") if db.is_sqlite() \
            else Client.tax_id.startswith(q, autoescape=True)
        condition = condition | prefix
    return condition


_TRIGRAMS = table(NAME_TRIGRAMS, column("rowid"))
_HAS_TRIGRAMS: "WeakKeyDictionary[Engine, bool]" = WeakKeyDictionary()


def _sqlite_trigrams() -> bool:
    """Whether this is SQLite with the names' trigram index (migration 0015 makes it where SQLite
    has FTS5's trigram tokenizer); asked once per engine."""
    engine = db.engine()
    found = _HAS_TRIGRAMS.get(engine)
    if found is None:
        found = _HAS_TRIGRAMS[engine] = engine.dialect.name == "sqlite" and db.session().scalar(
            select(literal_column("1")).select_from(table("sqlite_master"))
            .where(literal_column("name") == _TRIGRAMS.name)) is not None
    return found


def selected_ids(user: User, query: ClientListQuery) -> Select:
    """The ids of the clients the list shows (search and filters, all pages): also what an export
    writes and a bulk deletion deletes."""
    return _narrowed(select(Client.id), user, query)


def count_selected(user: User, query: ClientListQuery) -> int:
    return db.session().scalar(_narrowed(select(func.count()).select_from(Client), user, query)) or 0


def list_order(sorting: Sorting, columns=()) -> list[keyset.Segment]:
    """The list's order for ``sorting`` as keyset segments. Each core order is an index's own:
    by name ``(name_key, id)``; by date ``(created_at, id)``; by region, industry or category that
    column then the name (``ix_clients_<column>_name``); a plugin column then the id."""
    plugin = {column.key: column for column in columns}
    if sorting.key in CORE_SORTS:
        column = CORE_SORTS[sorting.key]
        terms = [column, Client.id] if sorting.key in ("name", "created_at") else [column, Client.name_key, Client.id]
        return keyset.segments(terms, nullable_first=sorting.key in ("region", "industry"))
    if sorting.key in plugin:
        column = plugin[sorting.key]
        return keyset.segments([column.expression, Client.id], nullable_first=column.nullable)
    raise ValidationError(fields={"sort": str(_l("Must be one of: %(options)s.",
                                                 options=", ".join([*CORE_SORTS, *plugin])))})


def list_clients(user: User, query: ClientListQuery, columns=(), with_work: bool = False) -> ClientPage:
    """The count and the page (with plugin columns): two statements, three when a page crosses into
    the blank values of its sort column (see ``keyset``). ``with_work`` is the list page's reading:
    each client as a ``ClientLine``, with the work columns; otherwise (the API) as a ``Client``."""
    parts = list_order(query.sorting, columns)
    total = count_selected(user, query)
    if with_work:
        head = select(*_LINE_COLUMNS).outerjoin(_LIST_MANAGER, _LIST_MANAGER.id == Client.manager_id)
        work, width = _work_columns(user), len(_LINE_COLUMNS)
    else:
        head, work, width = select(Client), (), 1
    base = _narrowed(with_joins(head.add_columns(*labelled(columns), *work), columns), user, query)
    found = keyset.read_page(base, parts, query.sorting.descending, query.sorting.param, query.limit,
                             offset=query.offset, cursor=query.cursor)
    rows, by_client = [], {}
    for row in found.rows:
        client = ClientLine(*row[:width]) if with_work else row[0]
        rows.append((client, plugin_values(row, columns, first=width)))
        if work:
            by_client[client.id] = ClientWork(*row[len(row) - len(work):])
    last = keyset.end_cursor(query.sorting.param, len(parts), max(0, total - query.limit))
    return ClientPage(rows, total, by_client, position=found.position, numbered=found.first_offset,
                      next_cursor=found.next.token() if found.next else None,
                      previous_cursor=found.previous.token() if found.previous else None,
                      last_cursor=last.token() if found.next else None)


def pick_lists() -> dict[str, list[str]]:
    """The firm's own lists of values for region, industry and channel, in their order (one statement)."""
    lists: dict[str, list[str]] = {key: [] for key in PICK_LIST_FIELDS}
    stmt = select(PickListItem.field, PickListItem.value).order_by(PickListItem.field, PickListItem.position,
                                                                   PickListItem.id)
    for key, value in db.session().execute(stmt):
        lists.setdefault(key, []).append(value)
    return lists


def pick_list_items() -> dict[str, list[PickListItem]]:
    """The lists' rows, for the admin page."""
    items: dict[str, list[PickListItem]] = {key: [] for key in PICK_LIST_FIELDS}
    stmt = select(PickListItem).order_by(PickListItem.field, PickListItem.position, PickListItem.id)
    for item in db.session().scalars(stmt):
        items.setdefault(item.field, []).append(item)
    return items


def filter_options(user: User) -> dict[str, list[str]]:
    """The values the filter drop-downs offer: the firm's list for the field; only while a field
    has no list yet, the distinct values the user's clients hold (a small query on an indexed column)."""
    options = pick_lists()
    for key in PICK_LIST_FIELDS:
        if options[key]:
            continue
        column = getattr(Client, key)
        stmt = access.scope_clients(select(column).distinct().where(column.is_not(None)), user)
        options[key] = list(db.session().scalars(stmt.order_by(column)))
    return options
