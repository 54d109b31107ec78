"""axe-core on the main pages, logged in as an admin (the widest header): no serious or critical violation."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from expo.core import db
from expo.core.models import User
from expo.core.services.users import hash_password
from expo.testing import (PASSWORD, axe, describe_violations, log_in, new_client, new_contact, new_engagement,
                          new_exhibition, new_scenario, screenshot)


@pytest.fixture
def firm(live_app):
    """An admin, and a client with a contact and an engagement at an exhibition; their ids."""
    with live_app.app_context():
        db.session().add(User(email="a@firm.ru", name="Анна Админова", role="admin",
                              password_hash=hash_password(PASSWORD), active=True))
        db.commit()
        planner = db.session().scalar(select(User).where(User.role == "planner"))
        scenario = new_scenario(planner)
        client = new_client(planner, name="ООО «Доступность»", manager_id=planner.id, phone="+7 495 123-45-67",
                            email="office@dostup.ru")
        new_contact(planner, client, phone="+7 916 000-11-22", email="anna@dostup.ru")
        show = new_exhibition(planner)
        engagement = new_engagement(planner, client, show, scenario_id=scenario.id)
        return {"client": client.id, "exhibition": show.id, "engagement": engagement.id, "scenario": scenario.id}


PAGES = {"home": "/", "clients": "/clients/", "client card": "/clients/{client}",
         "engagement": "/engagements/{engagement}", "exhibitions": "/exhibitions/",
         "exhibition board": "/exhibitions/{exhibition}", "my tasks": "/tasks", "scenarios": "/scenarios/",
         "scenario": "/scenarios/{scenario}", "reports": "/reports/", "admin users": "/admin/users",
         "audit": "/admin/audit", "deleted clients": "/admin/deleted-clients"}


SHOWN = {"client card": "client-card", "engagement": "engagement"}  # the README's pictures


def test_the_main_pages_have_no_serious_accessibility_violations(page, firm):
    log_in(page, "a@firm.ru")
    found = {}
    for name, url in PAGES.items():
        response = page.goto(url.format(**firm))
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        violations = axe(page)
        if name in SHOWN:
            screenshot(page, SHOWN[name])
        if violations:
            found[name] = describe_violations(violations)
    assert not found, "\n\n".join(f"== {name}\n{text}" for name, text in found.items())
