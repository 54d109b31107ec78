"""Status ratings: given by the rules when an engagement closes, withdrawn when it is reopened,
never counted twice; every change in the history with who, when, old → new and why."""
from __future__ import annotations

import threading
import time

from sqlalchemy import func, select

from expo.hooks import SYSTEM, commit, db_session
from expo.testing import new_engagement, new_exhibition, reopen, walk
from expo_ratings import services
from expo_ratings.models import EngagementRating


def test_closing_gives_the_status_rating_by_the_rules(app, firm, kit):
    with app.app_context():
        manager = kit.user(firm.manager.id)
        walk(kit.engagement_of(firm.engagement.id), manager, "price")
        assert kit.ratings(firm.mine.id) == {"client_id": firm.mine.id, "exhibition_id": None, "status": -1,
                                             "exhibition": 0, "personal": 0, "total": -1}
        assert kit.changes(firm.mine.id) == [("status", None, -1, "rule", "refused_price", firm.manager.id)]
        walk(kit.engagement_of(firm.second_engagement.id), manager, "signed")
        assert kit.ratings(firm.second.id)["total"] == 10
        assert kit.ratings(firm.mine.id)["total"] == -1  # the other client is not touched


def test_the_most_specific_rule_wins(app, firm, kit):
    with app.app_context():
        kit.set_rules([{"kind": "lost", "points": -2}, {"kind": "lost", "reason": "price", "points": -4},
                       {"result": "refused_price", "points": -7}])
        planner = kit.user(firm.planner.id)
        shows = [new_exhibition(planner, name=f"Show {i}") for i in range(3)]
        outcomes = {"price": -7, "quality": -2, "timing": -2}  # result key > kind + reason > kind alone
        for show, outcome in zip(shows, outcomes):
            walk(new_engagement(planner, firm.mine, show), planner, outcome)
        statuses = db_session().scalars(select(EngagementRating.status).where(
            EngagementRating.client_id == firm.mine.id).order_by(EngagementRating.engagement_id)).all()
        assert statuses == list(outcomes.values())
        assert kit.ratings(firm.mine.id)["status"] == -11


def test_a_result_no_rule_matches_gets_no_status_rating(app, firm, kit):
    with app.app_context():
        walk(kit.engagement_of(firm.engagement.id), kit.user(firm.manager.id), "timing")  # no rule for timing
        assert kit.ratings(firm.mine.id)["status"] == 0
        assert kit.changes(firm.mine.id) == []


def test_close_reopen_close_replaces_the_status_rating_and_never_adds_it_twice(app, firm, kit):
    with app.app_context():
        manager, planner = kit.user(firm.manager.id), kit.user(firm.planner.id)
        engagement = walk(kit.engagement_of(firm.engagement.id), manager, "signed")
        assert kit.ratings(firm.mine.id)["total"] == 10
        reopen(engagement, planner)
        assert kit.ratings(firm.mine.id)["total"] == 0  # withdrawn while open
        walk(engagement, manager, "signed")
        walk(reopen(engagement, planner), manager, "quality")
        assert kit.ratings(firm.mine.id) == {"client_id": firm.mine.id, "exhibition_id": None, "status": -3,
                                             "exhibition": 0, "personal": 0, "total": -3}
        rows = db_session().scalar(select(func.count()).where(EngagementRating.engagement_id == engagement.id))
        assert rows == 1
        assert kit.changes(firm.mine.id) == [
            ("status", None, 10, "rule", "contract", firm.manager.id),
            ("status", 10, None, "reopen", "contract", firm.planner.id),
            ("status", None, 10, "rule", "contract", firm.manager.id),
            ("status", 10, None, "reopen", "contract", firm.planner.id),
            ("status", None, -3, "rule", "refused_quality", firm.manager.id),
        ]


def test_the_total_adds_every_status_rating_the_exhibition_rating_in_view_and_the_personal_one(app, firm, kit):
    with app.app_context():
        planner = kit.user(firm.planner.id)
        walk(kit.engagement_of(firm.engagement.id), planner, "signed")  # +10 in Иннопром
        other_show = new_exhibition(planner, name="Мебель")
        walk(new_engagement(planner, firm.mine, other_show), planner, "decline")  # −5
        services.set_exhibition(kit.engagement_of(firm.engagement.id), {"value": 7}, planner)
        services.set_personal(firm.mine, {"value": 3}, planner)
        commit()
        assert kit.ratings(firm.mine.id)["total"] == 10 - 5 + 3  # outside an exhibition
        assert kit.ratings(firm.mine.id, firm.show.id)["total"] == 10 - 5 + 7 + 3
        assert kit.ratings(firm.mine.id, other_show.id)["total"] == 10 - 5 + 0 + 3


def test_a_system_close_is_recorded_as_the_system(app, firm, kit):
    with app.app_context():
        walk(kit.engagement_of(firm.engagement.id), SYSTEM, "decline")
        assert kit.changes(firm.mine.id) == [("status", None, -5, "rule", "declined", None)]


def test_concurrent_changes_to_one_client_add_up(app, firm, kit, monkeypatch):
    """Two closings of one client's engagements at once: the second waits for the first's lock on
    the client's sums, then sums what the first committed (on PostgreSQL a sum computed from a
    snapshot taken before that commit would drop the first's rating)."""
    with app.app_context():
        second_show = new_exhibition(kit.user(firm.planner.id), name="Второе шоу")
        other = new_engagement(kit.user(firm.planner.id), firm.mine, second_show, manager_id=firm.manager.id)
        services.set_personal(firm.mine, {"value": 2}, kit.user(firm.planner.id))  # the sums row exists
        commit()
    paused, resume = threading.Event(), threading.Event()
    refresh = services.refresh_clients

    def refresh_then_wait(condition):  # the first closing stops after writing, before its commit
        refresh(condition)
        if threading.current_thread().name == "first":
            paused.set()
            resume.wait(10)

    monkeypatch.setattr(services, "refresh_clients", refresh_then_wait)
    errors = []

    def close(engagement_id, outcome):
        try:
            with app.app_context():
                walk(kit.engagement_of(engagement_id), kit.user(firm.manager.id), outcome)
        except Exception as problem:  # reported below, not lost in the thread
            errors.append(problem)

    first = threading.Thread(target=close, args=(firm.engagement.id, "signed"), name="first")
    second = threading.Thread(target=close, args=(other.id, "price"), name="second")
    first.start()
    assert paused.wait(10)
    second.start()
    time.sleep(0.5)  # the second closing is now waiting for the first
    resume.set()
    first.join(10)
    second.join(10)
    assert errors == []
    with app.app_context():
        assert kit.ratings(firm.mine.id)["status"] == 10 - 1
        assert kit.ratings(firm.mine.id)["total"] == 9 + 2
