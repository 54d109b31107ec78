"""Notes of an engagement follow the engagement's visibility, on the card and in the API (item 11)."""
from __future__ import annotations

import pytest

from expo.core import db
from expo.core.models import User
from expo.core.services import activities
from expo.core.services.engagements import update_engagement
from expo.testing import new_client, new_engagement, new_exhibition


@pytest.fixture
def reassigned(app, make_user):
    """Masha manages the client; its engagement was handed to Oleg, who wrote a note on it."""
    planner = make_user("planner", email="p@firm.ru")
    masha = make_user("manager", email="masha@firm.ru")
    oleg = make_user("manager", email="oleg@firm.ru")
    with app.app_context():
        p = db.session().get(User, planner.id)
        client = new_client(p, name="ООО «Общий»", manager_id=masha.id)
        engagement = new_engagement(p, client, new_exhibition(p))
        activities.log_activity(client, {"kind": "note", "text": "Заметка о клиенте"}, p)
        update_engagement(engagement, {"manager_id": oleg.id}, p)
        activities.log_activity(client, {"kind": "call", "text": "Секрет сделки Олега",
                                         "engagement_id": engagement.id}, db.session().get(User, oleg.id))
        db.commit()
    return {"client_id": client.id, "engagement_id": engagement.id, "planner": planner, "masha": masha,
            "oleg": oleg}


def test_the_clients_manager_does_not_read_notes_of_an_engagement_she_cannot_see(client, api, reassigned):
    as_masha = api(reassigned["masha"])
    assert as_masha.get(f"/engagements/{reassigned['engagement_id']}").status_code == 404
    texts = [a["text"] for a in as_masha.get(f"/clients/{reassigned['client_id']}/activities").json["items"]]
    assert texts == ["Заметка о клиенте"]
    client.login("masha@firm.ru")
    card = client.get(f"/clients/{reassigned['client_id']}").get_data(as_text=True)
    assert "Заметка о клиенте" in card and "Секрет сделки Олега" not in card


def test_the_engagements_manager_reads_them_on_the_engagement(client, reassigned):
    client.login("oleg@firm.ru")
    assert client.get(f"/clients/{reassigned['client_id']}").status_code == 404
    page = client.get(f"/engagements/{reassigned['engagement_id']}").get_data(as_text=True)
    assert "Секрет сделки Олега" in page


def test_management_sees_every_note(client, api, reassigned):
    items = api(reassigned["planner"]).get(f"/clients/{reassigned['client_id']}/activities").json["items"]
    assert {a["text"] for a in items} == {"Заметка о клиенте", "Секрет сделки Олега"}
    client.login("p@firm.ru")
    card = client.get(f"/clients/{reassigned['client_id']}").get_data(as_text=True)
    assert "Секрет сделки Олега" in card
