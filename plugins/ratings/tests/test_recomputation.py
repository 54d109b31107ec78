"""The recomputation: after a rule change (a job: in-process, or a real RQ worker), from the
command line, and as the backfill when ratings are first enabled on a firm with history.
Set-based, batch by batch with its progress, idempotent."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time

import pytest
from redis import Redis
from sqlalchemy import select

from expo.hooks import commit, db_session, models, now
from expo.testing import migrate, new_client, new_engagement, new_exhibition, new_scenario, unmigrate, walk
from expo_ratings import recompute
from expo_ratings.models import EngagementRating, Recomputation

RULES_FORM = {  # the editor: won +20, lost for price −2, declined −5; quality's rule removed
    "result-0": "", "kind-0": "won", "reason-0": "", "points-0": "20",
    "result-1": "", "kind-1": "lost", "reason-1": "price", "points-1": "-2",
    "result-2": "", "kind-2": "lost", "reason-2": "quality", "points-2": "-3", "remove-2": "1",
    "result-3": "", "kind-3": "declined", "reason-3": "", "points-3": "-5",
    "result-4": "", "kind-4": "", "reason-4": "", "points-4": "",  # a spare blank row
}


def _statuses() -> dict[int, int | None]:
    return dict(db_session().execute(select(EngagementRating.engagement_id, EngagementRating.status)).all())


def _close_all(firm, kit):
    manager, other = kit.user(firm.manager.id), kit.user(firm.other.id)
    walk(kit.engagement_of(firm.engagement.id), manager, "price")
    walk(kit.engagement_of(firm.second_engagement.id), manager, "signed")
    walk(kit.engagement_of(firm.foreign_engagement.id), other, "quality")


def test_a_rule_change_recomputes_every_status_rating_and_a_second_run_changes_nothing(app, firm, kit, login_as,
                                                                                         runner):
    with app.app_context():
        _close_all(firm, kit)
    page = login_as(firm.planner)
    response = page.submit("/ratings/rules", RULES_FORM)
    assert response.status_code == 302  # saved; the job ran in-process after the commit
    with app.app_context():
        assert _statuses() == {firm.engagement.id: -2, firm.second_engagement.id: 20,
                               firm.foreign_engagement.id: None}
        assert [kit.ratings(c.id)["total"] for c in (firm.mine, firm.second, firm.foreign)] == [-2, 20, 0]
        assert kit.changes(firm.mine.id)[-1] == ("status", -1, -2, "recomputation", "refused_price", firm.planner.id)
        assert kit.changes(firm.foreign.id)[-1] == ("status", -3, None, "recomputation", "refused_quality",
                                                    firm.planner.id)
        run = db_session().scalars(select(Recomputation).order_by(Recomputation.id.desc())).first()
        assert (run.state, run.trigger, run.changed, run.percent) == ("done", "rules", 3, 100)
        audit = db_session().scalars(select(models.AuditEvent).where(
            models.AuditEvent.object_type == "rating_rules")).all()
        assert [(event.action, event.user_id, len(event.details["after"])) for event in audit][-1] == (
            "update", firm.planner.id, 3)
        before = kit.snapshot()
    result = runner.invoke(args=["ratings", "recompute"])
    assert result.exit_code == 0, result.output
    assert "done: 0 status ratings changed" in result.output
    with app.app_context():
        assert kit.snapshot() == before  # idempotent: no value, no history row changed
    rules_page = page.get("/ratings/rules").get_data(as_text=True)
    assert re.findall(r'name="points-\d+" value="([^"]*)"', rules_page) == ["20", "-2", "-5", "", "", ""]
    assert re.findall(r'name="reason-\d+" value="([^"]*)"', rules_page) == ["", "price", "", "", "", ""]


def test_the_command_recomputes_after_rules_changed_behind_its_back(app, firm, kit, runner):
    with app.app_context():
        _close_all(firm, kit)
        db_session().execute(models.Base.metadata.tables["ratings_rules"].update()
                             .where(models.Base.metadata.tables["ratings_rules"].c.kind == "won").values(points=15))
        commit()
    result = runner.invoke(args=["ratings", "recompute"])
    assert result.exit_code == 0, result.output
    assert "100%" in result.output and "done: 1 status ratings changed" in result.output
    with app.app_context():
        assert _statuses()[firm.second_engagement.id] == 15
        assert kit.ratings(firm.second.id)["total"] == 15
        assert kit.changes(firm.second.id)[-1] == ("status", 10, 15, "recomputation", "contract", None)


def test_batches_give_the_same_result_and_report_progress(make_app, firm, kit):
    app = make_app(RATINGS_BATCH=1)  # one client id per batch
    with app.app_context():
        _close_all(firm, kit)
        db_session().execute(models.Base.metadata.tables["ratings_engagements"].delete())
        db_session().execute(models.Base.metadata.tables["ratings_clients"].delete())
        run = Recomputation(trigger="command", state="queued", created_at=now())
        db_session().add(run)
        commit()
        seen = []
        recompute.run(run.id, progress=lambda current: seen.append(current.percent))
        assert len(seen) == firm.foreign.id - firm.mine.id + 1  # a batch per client id
        assert seen == sorted(seen) and seen[-1] == 100
        assert _statuses() == {firm.engagement.id: -1, firm.second_engagement.id: 10, firm.foreign_engagement.id: -3}
        assert [kit.ratings(c.id)["total"] for c in (firm.mine, firm.second, firm.foreign)] == [-1, 10, -3]


def test_the_progress_bar_polls_while_the_run_is_under_way(app, firm, kit, login_as):
    with app.app_context():
        queued = Recomputation(trigger="rules", state="queued", created_at=now(), total=10, done=4)
        db_session().add(queued)
        commit()
    page = login_as(firm.viewer)
    fragment = page.get(f"/ratings/recomputations/{queued.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in fragment and 'value="40"' in fragment and "<html" not in fragment
    full = page.get(f"/ratings/recomputations/{queued.id}").get_data(as_text=True)
    assert "<html" in full and 'value="40"' in full
    with app.app_context():
        recompute.run(queued.id)
    done = page.get(f"/ratings/recomputations/{queued.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "every 1s" not in done and 'value="100"' in done
    assert page.get("/ratings/recomputations/999999").status_code == 404


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own (the machine's is shared: never flushed from here)."""
    if not shutil.which("redis-server"):
        if os.environ.get("CI"):
            pytest.fail("redis-server is required under CI")
        pytest.skip("redis-server not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(tmp_path)], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    for _attempt in range(100):
        try:
            Redis.from_url(url, socket_connect_timeout=0.2).ping()
            break
        except Exception:
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_saving_rules_queues_the_recomputation_for_a_real_rq_worker(make_app, firm, kit, api, private_redis):
    app = make_app(REDIS_URL=private_redis)
    with app.app_context():
        _close_all(firm, kit)
    response = api(firm.admin, target=app).put("/ratings/rules", json={"rules": [{"kind": "won", "points": 50}]})
    assert response.status_code == 200, response.json
    run = response.json["recomputation"]
    assert run["state"] == "queued" and run["trigger"] == "rules"
    with app.app_context():
        assert _statuses()[firm.second_engagement.id] == 10  # not yet: the worker has not run
    from redis import Redis
    from rq import Queue

    queued = Queue("expo", connection=Redis.from_url(private_redis)).jobs
    # the recomputation (queued beside other jobs) may outlast RQ's default 180 s: a big firm's does
    assert 1800 in [job.timeout for job in queued]
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert api(firm.admin, target=app).get(f"/ratings/recomputations/{run['id']}").json["state"] == "done"
    with app.app_context():
        assert _statuses() == {firm.engagement.id: None, firm.second_engagement.id: 50,
                               firm.foreign_engagement.id: None}


@pytest.fixture
def first_enabling(make_app):
    """Ratings' tables dropped, as on a firm that never had the plugin; put back afterwards."""
    installing = make_app(PLUGINS="all")
    unmigrate(installing, "ratings")
    yield installing
    migrate(installing)


@pytest.mark.plugins("funnel,planning")
def test_enabling_ratings_on_a_firm_with_history_rates_every_closed_engagement_once(make_app, make_user, login_as,
                                                                                    first_enabling, kit):
    planner = make_user("planner")
    before = make_app()  # ratings not enabled yet
    with before.app_context():
        new_scenario(planner, kit.SCENARIO)
        show = new_exhibition(planner)
        closed = {}
        for outcome in ("price", "signed", "quality", "timing", None):
            client = new_client(planner, name=f"Клиент {outcome}")
            engagement = new_engagement(planner, client, show)
            if outcome:
                walk(engagement, planner, outcome)
            closed[outcome] = engagement.id
    assert "ratings" in migrate(first_enabling)  # `expo db upgrade` after enabling it: tables, defaults, marker
    enabled = make_app(PLUGINS="all")
    with enabled.app_context():
        assert _statuses() == {}  # nothing happens before the first request
        assert db_session().scalar(select(Recomputation.state)) == "pending"
    login_as(planner, target=enabled)  # the first request of this process claims the backfill
    with enabled.app_context():
        assert _statuses() == {closed["price"]: -1, closed["signed"]: 10, closed["quality"]: -3}  # default rules
        runs = db_session().execute(select(Recomputation.trigger, Recomputation.state, Recomputation.changed)).all()
        assert runs == [("enabled", "done", 3)]
    again = make_app(PLUGINS="all")  # another process starts: the backfill is not repeated
    login_as(planner, target=again)
    with again.app_context():
        assert len(db_session().scalars(select(Recomputation.id)).all()) == 1
