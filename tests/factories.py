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
