"""Make domain objects through the core's services, as users would (hooks fire, audit is written).

Each helper commits, so the objects are there for the next request; call them inside an app
context (the ``ctx`` fixture, or ``with app.app_context():``) with the acting user.
"""
from __future__ import annotations

import copy
from datetime import date
from itertools import count

from expo.core import db
from expo.core.models import Engagement
from expo.core.services import clients, engagements, exhibitions, process

_inn = count(7700000001)


def new_client(user, **fields):
    data = {"name": "ООО «Ромашка»", "tax_id": str(next(_inn)), "region": "Москва"}
    data.update(fields)
    client = clients.create_client(data, user)
    db.commit()
    return client


def new_contact(user, client, name="Анна Петрова", **fields):
    contact = clients.add_contact(client, {"name": name, **fields}, user)
    db.commit()
    return contact


def new_exhibition(user, name="Иннопром 2026", **fields):
    data = {"name": name, "starts_on": date(2026, 7, 6), "ends_on": date(2026, 7, 9)}
    data.update(fields)
    exhibition = exhibitions.create_exhibition(data, user)
    db.commit()
    return exhibition


def new_engagement(user, client, exhibition, **fields):
    engagement = engagements.open_engagement(
        {"client_id": client.id, "exhibition_id": exhibition.id, **fields}, user
    )
    db.commit()
    return engagement


def walk(engagement: Engagement, user, *outcomes: str, contract_amount=None) -> Engagement:
    """Choose ``outcomes`` one after another (each committed), as the outcome buttons would;
    ``contract_amount`` goes with the last one (a result that requires it asks for it)."""
    for number, outcome in enumerate(outcomes, 1):
        amount = contract_amount if number == len(outcomes) else None
        process.choose_outcome(engagement, outcome, user, **({"contract_amount": amount} if amount else {}))
        db.commit()
    return engagement


def reopen(engagement: Engagement, user) -> Engagement:
    """Open a closed engagement again (planners and admins), committed."""
    process.reopen(engagement, user)
    db.commit()
    return engagement


def purge_deleted_clients() -> int:
    """Purge every soft-deleted client now, as the daily job does once the grace days are over
    (``client_deleted`` fires for each), committed; returns how many."""
    from datetime import timedelta

    from expo.core import clock
    from expo.core.services.deletion import purge_days, purge_deleted_clients as purge

    purged = purge(now=clock.now() + timedelta(days=purge_days() + 1))
    db.commit()
    return purged


# The example of DESIGN.md: contact → presentation → offer, results contract / refused / refused_price.
DESIGN_EXAMPLE = {
    "name": "Exhibition sales",
    "steps": [
        {"key": "contact", "title": "Establish contact",
         "actions": [{"title": "Call the client", "deadline_days": 2, "hard": False, "escalate_to": "planner"}],
         "outcomes": [{"key": "interested", "title": "Interested", "next": "presentation"},
                      {"key": "no", "title": "Not interested", "result": "refused"}]},
        {"key": "presentation", "title": "Presentation", "actions": [],
         "outcomes": [{"key": "ok", "title": "Wants an offer", "next": "offer"},
                      {"key": "no", "title": "Refused", "result": "refused"}]},
        {"key": "offer", "title": "Commercial offer", "actions": [],
         "outcomes": [{"key": "signed", "title": "Signed", "result": "contract"},
                      {"key": "price", "title": "Too expensive", "result": "refused_price"}]},
    ],
    "results": [{"key": "contract", "title": "Contract signed", "kind": "won"},
                {"key": "refused", "title": "Client refused", "kind": "lost"},
                {"key": "refused_price", "title": "Refused: price", "kind": "lost", "reason": "price"}],
}

# A scenario with a loop: the offer can send an engagement back to contact (a step entered twice).
LOOP_EXAMPLE = {
    "name": "With a loop",
    "steps": [
        {"key": "contact", "title": "Contact", "actions": [],
         "outcomes": [{"key": "go", "title": "Go on", "next": "offer"},
                      {"key": "no", "title": "No", "result": "refused"}]},
        {"key": "offer", "title": "Offer", "actions": [],
         "outcomes": [{"key": "revise", "title": "Revise", "next": "contact"},
                      {"key": "signed", "title": "Signed", "result": "contract"}]},
    ],
    "results": [{"key": "contract", "title": "Contract", "kind": "won"},
                {"key": "refused", "title": "Refused", "kind": "declined"}],
}


def new_scenario(user, definition=None):
    """Save a scenario (DESIGN.md's example unless given); the first one becomes the default."""
    from expo.core.scenarios.store import save_scenario

    scenario = save_scenario(copy.deepcopy(definition or DESIGN_EXAMPLE), user)
    db.commit()
    return scenario


def new_scenario_version(user, scenario, change):
    """The next published version of ``scenario`` (in use: a draft, then published), its definition
    the current one as ``change(definition)`` edits it."""
    from expo.core.scenarios.store import publish, save_scenario, to_definition

    definition = to_definition(scenario)
    change(definition)
    version = publish(save_scenario(definition, user, scenario), user)
    db.commit()
    return version
