"""The distribution of an exhibition's work among the managers: what is not distributed yet
(open engagements without a manager, clients with no engagement in the exhibition), each
manager's load, and what a planner ticks (``resolve``). The writes — bulk assignment,
reassignment with a reason — and the suggestion that balances the load are in ``assignment``.

Reading costs a constant number of statements whatever the size of the base: the lists are pages
of ``PAGE`` with their totals, the loads are grouped aggregates, money is summed in kopecks
(``queries.kopecks``) so it is exact on SQLite too.

A chosen piece of work is an *item*: ``c:<client id>`` (open an engagement for that client) or
``e:<engagement id>`` (hand that engagement to a manager). Every item is checked before the first
write, so one bad item changes nothing; the writes then go through the core's services
(``open_engagement``, ``assign_engagement``, ``assign_manager``), so hooks fire, the audit is
written and the first step's tasks are made for — or moved to — the manager.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, select

from expo.hooks import (Forbidden, ValidationError, assignable_users, db_session, fields, models, not_deleted,
                        today)
from expo_planning.models import Budget
from expo_planning.queries import CENT, kopecks, rubles

Client, Engagement, Task, User = models.Client, models.Engagement, models.Task, models.User
PAGE = 50
MAX_ITEMS = 500  # one form post; more is not a page's worth of ticks, and keeps IN (…) lists small
MODES = ("count", "amount")
REASON = {"reason": fields.text(500)}
CLIENT, ENGAGEMENT = "c", "e"


def require_planner(user) -> None:
    if not getattr(user, "can_assign", False):
        raise Forbidden(_l("Only planners and admins distribute work."))


# --- items: what a planner ticks ---------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    kind: str  # CLIENT or ENGAGEMENT
    id: int

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_item(text: str) -> Item | None:
    kind, _, number = (text or "").strip().partition(":")
    item_id = fields.parse_id(number)
    return Item(kind, item_id) if kind in (CLIENT, ENGAGEMENT) and item_id is not None else None


@dataclass
class Chosen:
    """An item found in this exhibition: its client and, for ``e:``, its engagement and budget."""
    item: Item
    client: models.Client
    engagement: models.Engagement | None = None
    planned: Decimal | None = None

    @property
    def name(self) -> str:
        return self.client.name

    @property
    def current_manager_id(self) -> int | None:
        return self.engagement.manager_id if self.engagement is not None else None


class Problems:
    """Field messages collected over every item, so the planner sees all that is wrong at once."""

    def __init__(self):
        self.by_field: dict[str, list[str]] = defaultdict(list)

    def add(self, field_name: str, message) -> None:
        self.by_field[field_name].append(str(message))

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(fields={key: " ".join(messages) for key, messages in self.by_field.items()})


def _listed(names) -> str:
    names = list(names)
    shown = ", ".join(str(name) for name in names[:5])
    return shown + (f" (+{len(names) - 5})" if len(names) > 5 else "")


def resolve(exhibition_id: int, raw_items: list[str], problems: Problems) -> list[Chosen]:
    """The ticked items, found and checked for this exhibition (two statements at most); what is
    malformed, unknown, closed or already engaged goes into ``problems``."""
    if len(raw_items) > MAX_ITEMS:  # before any work: a post of a million ticks costs nothing
        problems.add("item", _l("At most %(n)d at a time.", n=MAX_ITEMS))
        return []
    items, malformed = [], []
    for raw in raw_items:
        if not (raw or "").strip():
            continue  # an empty value is no choice, not a bad one
        item = parse_item(raw)
        if item is None:
            malformed.append(raw)
        elif item not in items:
            items.append(item)
    if malformed:
        problems.add("item", _l("Not a client or an engagement: %(items)s.", items=_listed(malformed)))
    if not items and not malformed:
        problems.add("item", _l("Choose at least one client or engagement."))
    if len(items) > MAX_ITEMS:
        problems.add("item", _l("At most %(n)d at a time.", n=MAX_ITEMS))
        return []
    session = db_session()
    client_ids = [item.id for item in items if item.kind == CLIENT]
    engagement_ids = [item.id for item in items if item.kind == ENGAGEMENT]
    clients, engaged = {}, set()
    if client_ids:
        already = exists().where(Engagement.client_id == Client.id, Engagement.exhibition_id == exhibition_id)
        for client, is_engaged in session.execute(select(Client, already).where(Client.id.in_(client_ids))):
            clients[client.id] = client
            if is_engaged:
                engaged.add(client.id)
    engagements = {}
    if engagement_ids:
        rows = session.execute(select(Engagement, Budget.planned)
                               .outerjoin(Budget, Budget.engagement_id == Engagement.id)
                               .where(Engagement.id.in_(engagement_ids)))
        engagements = {engagement.id: (engagement, planned) for engagement, planned in rows}
    found, unknown, taken, closed = [], [], [], []
    for item in items:
        if item.kind == CLIENT:
            client = clients.get(item.id)
            if client is None or client.deleted_at is not None:
                unknown.append(item.key)
            elif client.id in engaged:
                taken.append(client.name)
            else:
                found.append(Chosen(item, client))
            continue
        engagement, planned = engagements.get(item.id, (None, None))
        if engagement is None or engagement.exhibition_id != exhibition_id or engagement.client.deleted_at is not None:
            unknown.append(item.key)
        elif engagement.state != "open":
            closed.append(engagement.client.name)
        else:
            found.append(Chosen(item, engagement.client, engagement,
                                None if planned is None else Decimal(planned).quantize(CENT)))
    if unknown:
        problems.add("item", _l("Not in this exhibition's work: %(items)s.", items=_listed(unknown)))
    if taken:
        problems.add("item", _l("Already engaged for this exhibition: %(names)s.", names=_listed(taken)))
    if closed:
        problems.add("item", _l("Closed, nothing to assign: %(names)s.", names=_listed(closed)))
    return found


def _assignable() -> dict[int, models.User]:
    """The people work may go to, by id, in the order the page shows them (by name)."""
    return {person.id: person for person in assignable_users()}


# --- reading: the lists and the loads -----------------------------------------------------------


@dataclass
class Page:
    rows: list
    total: int
    number: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number * PAGE < self.total


def _page(query, number: int, total=None) -> Page:
    """One page of ``query`` (ordered by the client's name) and the total (``total``: a cheaper
    statement that counts the same rows): two statements."""
    session = db_session()
    total = session.scalar(total if total is not None else
                           select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = session.execute(query.limit(PAGE).offset((number - 1) * PAGE)).all()
    return Page(rows, total, number)


def _named(query, q: str | None):
    """Case-insensitive substring of the client's name (the core's search key: casefolded in Python,
    since SQLite's lower() leaves Cyrillic alone)."""
    if q:
        query = query.where(Client.name_search.contains(q.casefold(), autoescape=True))
    return query.order_by(Client.name, Client.id)


def _engagement_rows(exhibition_id: int):
    manager, step = models.User, models.ScenarioStep
    return (select(Engagement.id, Engagement.client_id, Client.name, Engagement.step, step.title.label("step_title"),
                   Engagement.manager_id, Budget.planned, Client.manager_id.label("client_manager_id"),
                   manager.name.label("client_manager_name"))
            .join(Client, Client.id == Engagement.client_id)
            .outerjoin(Budget, Budget.engagement_id == Engagement.id)
            .outerjoin(manager, manager.id == Client.manager_id)
            .outerjoin(step, and_(step.scenario_id == Engagement.scenario_id, step.key == Engagement.step))
            .where(Engagement.exhibition_id == exhibition_id, Engagement.state == "open", Client.deleted_at.is_(None)))


def unassigned(exhibition_id: int, q: str | None = None, number: int = 1) -> Page:
    """The exhibition's open engagements without a manager, by client name."""
    return _page(_named(_engagement_rows(exhibition_id).where(Engagement.manager_id.is_(None)), q), number)


def handled_by(exhibition_id: int, manager_id: int, q: str | None = None, number: int = 1) -> Page:
    """One manager's open engagements in the exhibition (to reassign some), by client name."""
    return _page(_named(_engagement_rows(exhibition_id).where(Engagement.manager_id == manager_id), q), number)


def unengaged(exhibition_id: int, q: str | None = None, number: int = 1) -> Page:
    """Clients (not deleted) with no engagement in the exhibition, by name."""
    manager = models.User
    engaged = exists().where(Engagement.client_id == Client.id, Engagement.exhibition_id == exhibition_id)
    query = (select(Client.id, Client.name, Client.region, Client.category, Client.manager_id,
                    manager.name.label("manager_name"))
             .outerjoin(manager, manager.id == Client.manager_id)
             .where(Client.deleted_at.is_(None), ~engaged))
    total = None
    if not q:  # every client but the engaged ones (one per client and exhibition): two index counts,
        # not an anti-join over the whole base
        total = select(select(func.count()).where(Client.deleted_at.is_(None)).scalar_subquery()
                       - select(func.count()).select_from(Engagement)
                       .where(Engagement.exhibition_id == exhibition_id, not_deleted(Engagement.client_id))
                       .scalar_subquery())
    return _page(_named(query, q), number, total)


def holders(exhibition_id: int) -> list[tuple[int, str]]:
    """``(id, name)`` of everyone holding open engagements in the exhibition, by name — people who
    left or cannot be assigned any more too: their work is what most needs handing over."""
    holds = exists().where(Engagement.manager_id == User.id, Engagement.exhibition_id == exhibition_id,
                           Engagement.state == "open")
    rows = db_session().execute(select(User.id, User.name).where(holds).order_by(User.name, User.id))
    return [tuple(row) for row in rows]


@dataclass
class Load:
    """What a manager has on their plate: open engagements in this exhibition, Σ planned of them,
    and their overdue tasks (all exhibitions: a late manager is late everywhere)."""
    manager_id: int
    name: str
    role: str
    engagements: int = 0
    planned: Decimal = Decimal("0.00")
    overdue: int = 0

    def measure(self, mode: str):
        return self.planned if mode == "amount" else self.engagements


def loads(exhibition_id: int) -> list[Load]:
    """Every assignable person's load, by name: four statements whatever the data."""
    found = {person.id: Load(person.id, person.name, person.role) for person in assignable_users()}
    session = db_session()
    work = session.execute(  # read from (exhibition_id, state, manager_id) alone
        select(Engagement.manager_id, func.count())
        .where(Engagement.exhibition_id == exhibition_id, Engagement.state == "open",
               Engagement.manager_id.is_not(None), not_deleted(Engagement.client_id))
        .group_by(Engagement.manager_id))
    for manager_id, count in work:
        if manager_id in found:
            found[manager_id].engagements = int(count)
    planned = session.execute(  # the budgets carry their engagement's state and manager
        select(Budget.manager_id, kopecks(Budget.planned))
        .where(Budget.exhibition_id == exhibition_id, Budget.state == "open", Budget.manager_id.is_not(None),
               not_deleted(Budget.client_id))
        .group_by(Budget.manager_id))
    for manager_id, amount in planned:
        if manager_id in found:
            found[manager_id].planned = rubles(amount)
    late = session.execute(
        select(Task.assignee_id, func.count())
        .where(Task.assignee_id.in_(list(found)), Task.done_at.is_(None), Task.due_on < today(),
               Task.cancelled_at.is_(None), not_deleted(Task.client_id))  # by (assignee, done, due)
        .group_by(Task.assignee_id))
    for assignee_id, count in late:
        if assignee_id in found:
            found[assignee_id].overdue = int(count)
    return list(found.values())
