"""A small firm for the planning tests, built through the core's services (``expo.testing``),
on SQLite and PostgreSQL. The scenario has one step whose outcomes lead to each kind of result,
so a test closes an engagement with one ``walk``. Test modules get the helpers through the
``kit`` fixture (with ``--import-mode=importlib`` a conftest is not importable)."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from expo.hooks import SYSTEM, commit, db_session, models
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario, walk
from expo_planning import services

SCENARIO = {
    "name": "Participation",
    "steps": [{"key": "talk", "title": "Talk", "actions": [], "outcomes": [
        {"key": "signed", "title": "Signed", "result": "contract"},
        {"key": "price", "title": "Too expensive", "result": "refused_price"},
        {"key": "decline", "title": "We decline", "result": "declined"}]}],
    "results": [{"key": "contract", "title": "Contract signed", "kind": "won"},
                {"key": "refused_price", "title": "Refused: price", "kind": "lost", "reason": "price"},
                {"key": "declined", "title": "Declined by us", "kind": "declined"}],
}


def user(user_id: int) -> models.User:
    return db_session().get(models.User, user_id)


def engagement(engagement_id: int) -> models.Engagement:
    return db_session().get(models.Engagement, engagement_id)


def planned(engagement_id: int, amount, period: str, by=SYSTEM):
    """Plan an engagement as ``by`` (a planner User; SYSTEM is refused: pass the planner)."""
    services.set_planned(engagement(engagement_id), {"amount": str(amount), "period": period}, by)
    commit()


def won(engagement_id: int, contract, by) -> None:
    """Close an engagement won, with its contract amount set through the core."""
    e = walk(engagement(engagement_id), by, "signed")
    services.set_actual(e, {"amount": str(contract)}, by)
    commit()


def lost(engagement_id: int, by) -> None:
    walk(engagement(engagement_id), by, "price")
    commit()


@pytest.fixture
def firm(app, make_user):
    """Staff (planner, admin, viewer, two managers ``ann`` and ``bob``), the scenario, two
    exhibitions (``show``, ``fair``), and clients: ``a1``, ``a2``, ``a3`` of ann, ``b1`` of bob,
    each with an open engagement in ``show``; ``spare1``, ``spare2`` (potential, no engagement)."""
    staff = {role: make_user(role) for role in ("planner", "admin", "viewer")}
    staff["ann"], staff["bob"] = make_user("manager", name="Анна"), make_user("manager", name="Борис")
    with app.app_context():
        planner = user(staff["planner"].id)
        new_scenario(planner, SCENARIO)
        show, fair = new_exhibition(planner, name="Иннопром"), new_exhibition(planner, name="Агросалон")
        clients = {}
        for key, owner in (("a1", "ann"), ("a2", "ann"), ("a3", "ann"), ("b1", "bob"), ("spare1", None),
                           ("spare2", None)):
            clients[key] = new_client(planner, name=f"ООО «{key}»",
                                      manager_id=staff[owner].id if owner else None)
        engagements = {key: new_engagement(planner, clients[key], show, manager_id=clients[key].manager_id).id
                       for key in ("a1", "a2", "a3", "b1")}
        commit()
    return SimpleNamespace(**staff, show=show, fair=fair, clients=clients, e=engagements)


@pytest.fixture
def kit():
    """The helpers (call them inside an app context): ``user``, ``engagement``, ``planned``,
    ``won``, ``lost``, ``D`` (Decimal) and ``SCENARIO``."""
    return SimpleNamespace(user=user, engagement=engagement, planned=planned, won=won, lost=lost, D=Decimal,
                           SCENARIO=SCENARIO)
