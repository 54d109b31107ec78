"""A small firm for the ratings tests, built through the core's services (``expo.testing``).

Every test runs on SQLite and on PostgreSQL. The scenario has one step whose outcomes lead to
each kind of result (won; lost for price, quality, timing; declined), so a test closes an
engagement with one ``walk``. Test modules get the helpers below through the ``kit`` fixture
(with ``--import-mode=importlib`` a conftest is not importable).
"""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from expo.hooks import SYSTEM, commit, db_session, models
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario
from expo_ratings import queries, services
from expo_ratings.models import ClientRating, EngagementRating, RatingChange

SCENARIO = {
    "name": "Participation",
    "steps": [{"key": "talk", "title": "Talk", "actions": [], "outcomes": [
        {"key": "signed", "title": "Signed", "result": "contract"},
        {"key": "price", "title": "Too expensive", "result": "refused_price"},
        {"key": "quality", "title": "Poor quality", "result": "refused_quality"},
        {"key": "timing", "title": "Bad timing", "result": "refused_timing"},
        {"key": "decline", "title": "We decline", "result": "declined"}]}],
    "results": [{"key": "contract", "title": "Contract signed", "kind": "won"},
                {"key": "refused_price", "title": "Refused: price", "kind": "lost", "reason": "price"},
                {"key": "refused_quality", "title": "Refused: quality", "kind": "lost", "reason": "quality"},
                {"key": "refused_timing", "title": "Refused: timing", "kind": "lost", "reason": "timing"},
                {"key": "declined", "title": "Declined by us", "kind": "declined"}],
}
# The default set: won +10; lost for price −1, for quality −3; declined −5.
DEFAULT_RULES = [{"kind": "won", "points": 10}, {"kind": "lost", "reason": "price", "points": -1},
                 {"kind": "lost", "reason": "quality", "points": -3}, {"kind": "declined", "points": -5}]


def set_rules(rules) -> None:
    """Replace the rule set as SYSTEM and commit (its recomputation runs in-process)."""
    services.save_rules(rules, SYSTEM)
    commit()


def ratings(client_id: int, exhibition_id: int | None = None) -> dict:
    return queries.ratings_of(client_id, exhibition_id).as_json()


def changes(client_id: int) -> list[tuple]:
    """The client's history, oldest first: (component, old, new, cause, note, user_id)."""
    rows = db_session().execute(select(RatingChange.component, RatingChange.old_value, RatingChange.new_value,
                                       RatingChange.cause, RatingChange.note, RatingChange.user_id)
                                .where(RatingChange.client_id == client_id).order_by(RatingChange.id))
    return [tuple(row) for row in rows]


def snapshot() -> dict:
    """Every ratings row, to compare before and after."""
    session = db_session()
    return {
        "clients": sorted(tuple(r) for r in session.execute(select(
            ClientRating.client_id, ClientRating.personal, ClientRating.status, ClientRating.total))),
        "engagements": sorted(tuple(r) for r in session.execute(select(
            EngagementRating.engagement_id, EngagementRating.status, EngagementRating.exhibition))),
        "changes": session.scalar(select(func.count(RatingChange.id))),
    }


@pytest.fixture
def firm(app, make_user):
    """Staff, the scenario, the default rules, one exhibition, two clients of ``manager`` and one
    of ``other``, each with an open engagement in the exhibition."""
    staff = {role: make_user(role) for role in ("planner", "admin", "viewer")}
    staff["manager"], staff["other"] = make_user("manager"), make_user("manager")
    with app.app_context():
        planner = db_session().get(models.User, staff["planner"].id)
        new_scenario(planner, SCENARIO)
        set_rules(DEFAULT_RULES)
        show = new_exhibition(planner, name="Иннопром")
        mine = new_client(planner, name="ООО «Ромашка»", manager_id=staff["manager"].id)
        second = new_client(planner, name="АО «Василёк»", manager_id=staff["manager"].id)
        foreign = new_client(planner, name="ЗАО «Чужой»", manager_id=staff["other"].id)
        engagements = {client.id: new_engagement(planner, client, show, manager_id=client.manager_id)
                       for client in (mine, second, foreign)}
    return SimpleNamespace(**staff, show=show, mine=mine, second=second, foreign=foreign,
                           engagement=engagements[mine.id], second_engagement=engagements[second.id],
                           foreign_engagement=engagements[foreign.id])


def engagement_of(engagement_id: int):
    return db_session().get(models.Engagement, engagement_id)


def user(user_id: int):
    return db_session().get(models.User, user_id)


@pytest.fixture
def kit():
    """The helpers: ``set_rules``, ``ratings``, ``changes``, ``snapshot``, ``engagement_of``, ``user``,
    and ``SCENARIO`` / ``DEFAULT_RULES`` (call them inside an app context)."""
    return SimpleNamespace(SCENARIO=SCENARIO, DEFAULT_RULES=DEFAULT_RULES, set_rules=set_rules, ratings=ratings,
                           changes=changes, snapshot=snapshot, engagement_of=engagement_of, user=user)
