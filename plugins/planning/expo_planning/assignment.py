"""Handing an exhibition's work to the managers: the bulk assignment — and reassignment, with a
reason — checked item by item before the first write, then done through the core's services;
and a suggestion that balances the load, which writes nothing.

See ``distribution`` for the items (``c:<client id>``, ``e:<engagement id>``) and the loads.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l, ngettext
from sqlalchemy import select

from expo.hooks import (ValidationError, assign_engagement, assign_manager, audit_record, db_session, fields, models,
                        notify, open_engagement)
from expo_planning.distribution import (MODES, REASON, Chosen, Load, Problems, _assignable, _listed, loads,
                                        require_planner, resolve)

User = models.User
NOTE_LIMIT = 2000  # characters of a notification's text (the core refuses more)

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
    return text if len(text) <= NOTE_LIMIT else text[:NOTE_LIMIT - 1] + "…"  # the notification's limit


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
