"""Firms for the funnel tests, built through the core's services (``expo.testing``), on SQLite and
PostgreSQL: a linear scenario (DESIGN.md's example), a branching one (two paths meeting at the
offer) and one with a loop. Each fixture's docstring gives the hand-computed funnel."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from expo.hooks import assign_engagement, db_session, models, update_engagement
from expo.testing import LOOP_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario, walk

BRANCHING = {
    "name": "Branching",
    "steps": [
        {"key": "contact", "title": "Contact", "actions": [],
         "outcomes": [{"key": "meet", "title": "Meet", "next": "meeting"},
                      {"key": "call", "title": "Call", "next": "call"}]},
        {"key": "meeting", "title": "Meeting", "actions": [],
         "outcomes": [{"key": "ok", "title": "Wants an offer", "next": "offer"}]},
        {"key": "call", "title": "Call", "actions": [],
         "outcomes": [{"key": "ok", "title": "Wants an offer", "next": "offer"},
                      {"key": "later", "title": "Not now", "result": "timing"}]},
        {"key": "offer", "title": "Offer", "actions": [],
         "outcomes": [{"key": "signed", "title": "Signed", "result": "contract"},
                      {"key": "price", "title": "Too expensive", "result": "price"}]},
    ],
    "results": [{"key": "contract", "title": "Contract", "kind": "won"},
                {"key": "price", "title": "Refused: price", "kind": "lost", "reason": "price"},
                {"key": "timing", "title": "Refused: timing", "kind": "lost", "reason": "timing"}],
}

LOOP = LOOP_EXAMPLE  # contact ⇄ offer; refused is the firm declining


def user(user_id: int) -> models.User:
    return db_session().get(models.User, user_id)


def engagement(engagement_id: int) -> models.Engagement:
    return db_session().get(models.Engagement, engagement_id)


@pytest.fixture
def linear(app, make_user):
    """DESIGN.md's scenario (contact → presentation → offer), six engagements of ``ann`` at one exhibition:

    ====  ==========================================  ========  ========
    e     path                                         expected  contract
    ====  ==========================================  ========  ========
    won   contact, presentation, offer → contract      100       120
    no    contact → refused                            50
    pres  contact, presentation → refused              80
    price contact, presentation, offer → refused_price 200
    now   contact, presentation (there now)            40
    new   contact (there now)
    ====  ==========================================  ========  ========

    contact: entered 6, passed 4, dropped 1, in progress 1 (1/5); presentation: 4, 2, 1, 1 (1/3);
    offer: 2, 1, 1, 0 (1/2). Won/closed 1/4; won/entered 1/6; money 120 / 470.
    """
    staff = SimpleNamespace(planner=make_user("planner"), ann=make_user("manager", name="Анна"),
                            bob=make_user("manager", name="Борис"), admin=make_user("admin"),
                            viewer=make_user("viewer"))
    ids = {}
    with app.app_context():
        planner = user(staff.planner.id)
        scenario = new_scenario(planner)
        show, other_show = new_exhibition(planner, name="Иннопром"), new_exhibition(planner, name="Пустая")
        # the firm's list of regions (the client form offers it, the filters read it)
        db_session().add_all([models.PickListItem(field="region", value=region, position=position)
                              for position, region in enumerate(("Москва", "Казань"))])
        paths = {"won": ("interested", "ok", "signed"), "no": ("no",), "pres": ("interested", "no"),
                 "price": ("interested", "ok", "price"), "now": ("interested",), "new": ()}
        amounts = {"won": "100", "no": "50", "pres": "80", "price": "200", "now": "40", "new": None}
        for name, path in paths.items():
            client = new_client(planner, name=f"Клиент {name}", manager_id=staff.ann.id,
                                region="Москва" if name != "new" else "Казань")
            found = new_engagement(planner, client, show, scenario_id=scenario.id, manager_id=staff.ann.id,
                                   **({"expected_amount": amounts[name]} if amounts[name] else {}))
            if name == "won":
                update_engagement(found, {"contract_amount": "120"}, planner)
                db_session().commit()
            walk(found, planner, *path)
            ids[name] = found.id
        scenario_id, show_id, other_id = scenario.id, show.id, other_show.id
    return SimpleNamespace(**vars(staff), ids=ids, scenario_id=scenario_id, show_id=show_id, empty_show_id=other_id)


def build(app, planner_id, definition, paths, manager_id=None) -> dict:
    """Engagements on a new scenario, one per ``paths`` item ``name: outcomes``; their ids by name."""
    with app.app_context():
        planner = user(planner_id)
        scenario = new_scenario(planner, definition)
        show = new_exhibition(planner, name=f"Выставка {definition['name']}")
        ids = {}
        for name, path in paths.items():
            client = new_client(planner, name=f"{definition['name']} {name}", manager_id=manager_id)
            found = new_engagement(planner, client, show, scenario_id=scenario.id, manager_id=manager_id)
            walk(found, planner, *path)
            ids[name] = found.id
        return {"scenario_id": scenario.id, "ids": ids}


def reassign(app, engagement_id: int, manager_id: int, planner_id: int) -> None:
    with app.app_context():
        assign_engagement(engagement(engagement_id), manager_id, user(planner_id))
        db_session().commit()


@pytest.fixture
def kit():
    """The helpers for test modules (with ``--import-mode=importlib`` a conftest is not importable):
    ``BRANCHING``, ``LOOP``, ``build``, ``reassign``, ``user``, ``engagement``."""
    return SimpleNamespace(BRANCHING=BRANCHING, LOOP=LOOP, build=build, reassign=reassign, user=user,
                           engagement=engagement)
