"""Small helpers that make domain objects through the core services (as users would)."""
from __future__ import annotations

from datetime import date
from itertools import count

from expo.core import db
from expo.core.services import clients, engagements, exhibitions

_inn = count(7700000001)


def new_client(user, **fields):
    data = {"name": "ООО «Ромашка»", "tax_id": str(next(_inn)), "region": "Москва"}
    data.update(fields)
    client = clients.create_client(data, user)
    db.commit()
    return client


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


def new_scenario(user, definition=None):
    import copy

    from expo.core.scenarios.store import save_scenario

    scenario = save_scenario(copy.deepcopy(definition or DESIGN_EXAMPLE), user)
    db.commit()
    return scenario
