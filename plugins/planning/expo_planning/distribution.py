"""The distribution of an exhibition's work among the managers: what is not distributed yet
(open engagements without a manager, clients with no engagement in the exhibition), each
manager's load, the bulk assignment — and reassignment, with a reason — and a suggestion that
balances the load.

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
from dataclasses import dataclass, field
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l, ngettext
from sqlalchemy import and_, exists, func, select

from expo.hooks import (Forbidden, ValidationError, assign_engagement, assign_manager, assignable_users, audit_record,
                        db_session, fields, models, not_deleted, notify, open_engagement, today)
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


# --- assigning ----------------------------------------------------------------------------------


@dataclass
class Assignment:
    chosen: Chosen
    manager: models.User
    reassigned_from: int | None = None  # the engagement's manager when checked (kept: writing changes it)


def check(exhibition_id: int, raw_items: list[str], manager_for: dict[str, str], default_manager: str,
          reason: str, user) -> tuple[list[Assignment], str]:
    """Who gets which item, every item checked: ``(assignments, reason)`` or a ValidationError
    naming every problem. ``manager_for[item key]`` (the suggestion's per-item choice) overrides
    ``default_manager``; an engagement that has a manager is reassigned, and only with a reason."""
    require_planner(user)
    problems = Problems()
    try:
        reason = fields.clean(REASON, {"reason": reason or ""}).get("reason") or ""
    except ValidationError as problem:
        for key, message in problem.fields.items():
            problems.add(key, message)
        reason = ""
    chosen = resolve(exhibition_id, raw_items, problems)
    people = _assignable()
    assignments, no_manager, bad_manager, same, unexplained = [], False, False, [], []
    for one in chosen:
        # The suggestion's per-item choice decides when the form has one (even blank); else the single select.
        raw = (manager_for[one.item.key] if one.item.key in manager_for else default_manager or "").strip()
        manager = people.get(fields.parse_id(raw)) if raw else None
        if not raw:
            no_manager = True
        elif manager is None:
            bad_manager = True
        elif one.current_manager_id == manager.id:
            same.append(one.name)
        else:
            if one.current_manager_id is not None and not reason:
                unexplained.append(one.name)
            assignments.append(Assignment(one, manager, one.current_manager_id))
    if no_manager:
        problems.add("manager_id", _l("Choose a manager."))
    if bad_manager:
        problems.add("manager_id", _l("No such manager."))
    if same:
        problems.add("item", _l("Already with that manager: %(names)s.", names=_listed(same)))
    if unexplained:
        problems.add("item", _l("These have a manager already: %(names)s.", names=_listed(unexplained)))
        problems.add("reason", _l("A reason is required to reassign."))
    problems.raise_any()
    return assignments, reason


def assign(exhibition: models.Exhibition, assignments: list[Assignment], reason: str, user) -> int:
    """Write the checked ``assignments`` through the core's services and tell each manager once.
    Returns how many items were assigned; the commit is the caller's."""
    require_planner(user)
    given: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        chosen, manager_id = assignment.chosen, assignment.manager.id
        if chosen.engagement is None:
            open_engagement({"client_id": chosen.client.id, "exhibition_id": exhibition.id, "manager_id": manager_id},
                            user)
        else:
            assign_engagement(chosen.engagement, manager_id, user)
            if assignment.reassigned_from is not None:
                audit_record("reassign", "engagement", chosen.engagement.id, user, reason=reason,
                             old_manager_id=assignment.reassigned_from, new_manager_id=manager_id)
        if chosen.client.manager_id is None:
            # The manager sees a client's card only as its client-manager: a client nobody had goes to them.
            assign_manager(chosen.client, manager_id, user)
        given[manager_id].append(assignment)
    for manager_id, theirs in given.items():
        notify([theirs[0].manager], "planning.assigned", _news(exhibition, theirs, reason),
               url_for("exhibitions.engagements", exhibition_id=exhibition.id, manager_id=manager_id))
    return len(assignments)


def _news(exhibition: models.Exhibition, theirs: list[Assignment], reason: str) -> str:
    text = ngettext("You were given %(num)d client for %(exhibition)s.",
                    "You were given %(num)d clients for %(exhibition)s.", len(theirs), exhibition=exhibition.name)
    moved = [a for a in theirs if a.reassigned_from is not None]
    if moved:
        previous = _names_of({a.reassigned_from for a in moved})
        text += " " + ngettext("%(num)d of them was reassigned from %(managers)s: %(reason)s",
                               "%(num)d of them were reassigned from %(managers)s: %(reason)s", len(moved),
                               managers=", ".join(previous), reason=reason)
    return text


def _names_of(user_ids: set[int]) -> list[str]:
    """The names of the managers work was taken from (inactive ones too: one statement)."""
    return sorted(db_session().scalars(select(User.name).where(User.id.in_(user_ids))))


# --- the suggestion -----------------------------------------------------------------------------


@dataclass
class Proposal:
    chosen: Chosen
    manager_id: int | None  # preselected; the planner may change it

    @property
    def weight(self) -> Decimal:
        return self.chosen.planned or Decimal("0.00")


@dataclass
class Suggestion:
    mode: str
    proposals: list[Proposal]
    among: list[Load]  # the managers balanced among, with the load they would have afterwards
    managers: list[Load] = field(default_factory=list)  # every assignable person (the selects' options)

    @property
    def needs_reason(self) -> bool:
        return any(p.chosen.current_manager_id is not None for p in self.proposals)


def suggest(exhibition_id: int, raw_items: list[str], mode: str, raw_managers: list[str], user) -> Suggestion:
    """Preselect a manager for every item, greedily: each next item (by ``amount``, the largest
    planned first; items without a budget weigh 0) goes to whoever has the least load in this
    exhibition — by count of open engagements or by Σ planned — among ``raw_managers`` (none:
    every assignable person), never to the manager it already has. Writes nothing."""
    require_planner(user)
    problems = Problems()
    if mode not in MODES:
        problems.add("mode", _l("Balance by count or by amount."))
    chosen = resolve(exhibition_id, raw_items, problems)
    everyone = loads(exhibition_id)
    by_id = {load.manager_id: load for load in everyone}
    wanted = [fields.parse_id(raw) for raw in raw_managers if (raw or "").strip()]
    if any(manager_id not in by_id for manager_id in wanted):
        problems.add("manager_id", _l("No such manager."))
    problems.raise_any()
    among = [load for load in everyone if not wanted or load.manager_id in wanted]
    # Projected loads: start from today's, as if the chosen engagements were free already.
    after = {load.manager_id: Load(load.manager_id, load.name, load.role, load.engagements, load.planned, load.overdue)
             for load in among}
    for one in chosen:
        held = after.get(one.current_manager_id)
        if held is not None:
            held.engagements -= 1
            held.planned -= one.planned or Decimal("0.00")
    proposals = [Proposal(one, None) for one in chosen]
    # sorted() is stable: equal amounts, and every item by count, keep the order they were ticked in
    order = sorted(proposals, key=lambda p: -p.weight) if mode == "amount" else proposals
    rank = {load.manager_id: position for position, load in enumerate(among)}  # ties go by name
    for proposal in order:
        candidates = [load for load in after.values() if load.manager_id != proposal.chosen.current_manager_id]
        if not candidates:
            continue  # left for the planner to choose (the Apply refuses it without a manager)
        best = min(candidates, key=lambda load: (load.measure(mode), rank[load.manager_id]))
        proposal.manager_id = best.manager_id
        best.engagements += 1
        best.planned += proposal.weight
    return Suggestion(mode, proposals, [after[load.manager_id] for load in among], everyone)


def preview(exhibition_id: int, raw_items: list[str], manager_for: dict[str, str]) -> Suggestion | None:
    """The suggestion form again as the planner left it (their choices, not rebalanced), to show it
    with the problems of an Apply that was refused; None when nothing came from a suggestion."""
    if not manager_for:
        return None
    chosen = resolve(exhibition_id, raw_items, Problems())
    everyone = loads(exhibition_id)
    proposals = [Proposal(one, fields.parse_id(manager_for.get(one.item.key, ""))) for one in chosen]
    return Suggestion("", proposals, [], everyone)  # no mode: these are the planner's choices now
