"""Redis down never loses work (issue 8, item 4): the outbox keeps jobs until they have run.

Background work (escalation mails, scheduled deliveries, plugin jobs) waits in the outbox and runs
once Redis is back; work a user waits for ("send now", report generation) answers 503 instead.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from expo.core import db, jobs
from expo.core.models import SYSTEM, Notification, PendingJob, ReportDelivery, Task, User
from expo.core.services.users import issue_token
from expo.testing import PageClient
from tests.test_jobs import _notes, redis_url  # noqa: F401  (fixture)
from tests.test_reports import _free_port, _subscription, firm, smtp  # noqa: F401  (fixtures)
from tests.test_tasks import frozen, world  # noqa: F401  (fixtures)


def _waiting(app) -> list[PendingJob]:
    with app.app_context():
        return db.session().scalars(select(PendingJob).order_by(PendingJob.id)).all()


def _mails(app) -> list[Path]:
    return sorted(Path(app.config["OUTBOX_DIR"]).glob("*.eml"))


def _work(app, monkeypatch):
    """`expo worker --burst` (a real RQ worker): drains the outbox, then runs the queue."""
    monkeypatch.setattr(jobs, "_worker_app", None)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output


def test_escalation_mails_wait_for_redis_and_go_out_once(make_app, world, frozen, redis_url, monkeypatch):  # noqa: F811
    dead = f"redis://127.0.0.1:{_free_port()}/0"
    down = make_app(REDIS_URL=dead)
    frozen.advance(days=3)
    result = down.test_cli_runner().invoke(args=["tasks", "check"])
    assert result.exit_code == 0 and "escalated: 1" in result.output
    with down.app_context():  # the task is escalated and the notification recorded …
        assert db.session().scalar(select(Task).where(Task.escalated_at.is_not(None))) is not None
        assert db.session().scalar(select(func.count(Notification.id))) == 1
    waiting = _waiting(down)  # … and its mail waits instead of being dropped
    assert [(j.func, j.handed_over_at) for j in waiting] == [("expo.core.services.notifications:mail_notification", None)]
    assert _mails(down) == []

    up = make_app(REDIS_URL=redis_url, INSTANCE_DIR=down.config["INSTANCE_DIR"])  # Redis is back
    _work(up, monkeypatch)
    assert len(_mails(up)) == 1 and _waiting(up) == []
    _work(up, monkeypatch)  # draining and working again sends nothing twice
    assert len(_mails(up)) == 1


def test_without_a_worker_the_outbox_is_drained_by_the_scheduled_job(make_app, redis_url, monkeypatch):  # noqa: F811
    dead = make_app(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    with dead.app_context():
        jobs.enqueue_after_commit("tests.jobs_probe:note", text="kept")
        db.commit()
    assert len(_waiting(dead)) == 1 and _notes(dead) == []
    up = make_app(REDIS_URL=redis_url)
    with up.app_context():
        assert jobs.drain_outbox() == {"waiting": 1, "failed": 0}  # handed over, not yet run
        db.commit()
        assert jobs.drain_outbox()["waiting"] == 1  # handed over a moment ago: not pushed twice
    assert [j.handed_over_at is not None for j in _waiting(up)] == [True]
    _work(up, monkeypatch)
    assert _notes(up) == ["kept"] and _waiting(up) == []


def test_a_job_handed_over_twice_runs_once(make_app, redis_url, monkeypatch):  # noqa: F811
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        jobs.enqueue_after_commit("tests.jobs_probe:note", text="once")
        db.commit()
        job_id = db.session().scalar(select(PendingJob.id))
        jobs.queue().enqueue("expo.core.jobs.run_pending_on_worker", job_id)  # as a drain would after a lost reply
    monkeypatch.setattr(jobs, "_worker_app", None)
    assert app.test_cli_runner().invoke(args=["worker", "--burst"]).exit_code == 0
    assert _notes(app) == ["once"]


def test_send_now_with_redis_down_is_a_503_and_records_nothing(make_app, api, firm):  # noqa: F811
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    subscription_id = _subscription(app, firm)
    http = app.test_client()
    with app.app_context():
        token = issue_token(db.session().get(User, firm["planner"].id), SYSTEM)
        db.commit()
    response = http.post(f"/api/v1/reports/subscriptions/{subscription_id}/send",
                         headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503 and response.json["error"]["code"] == "queue_unavailable"
    page = PageClient(app)
    page.login("p@firm.ru")
    assert page.submit(f"/reports/subscriptions/{subscription_id}/send").status_code == 503
    assert _waiting(app) == []
    with app.app_context():
        assert db.session().scalar(select(func.count(ReportDelivery.id))) == 0


def test_a_failing_in_process_job_is_kept_and_retried_then_given_up(app, monkeypatch):
    from tests import jobs_probe

    calls = []

    def flaky(text):
        calls.append(text)
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(jobs_probe, "note", flaky)
    with app.app_context():
        jobs.enqueue_after_commit("tests.jobs_probe:note", text="mail")
        db.commit()  # runs in-process, fails: kept
    [row] = _waiting(app)
    assert row.attempts == 1 and "SMTP down" in row.last_error and row.failed_at is None
    runner = app.test_cli_runner()
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        assert runner.invoke(args=["jobs", "drain"]).exit_code == 0
    assert len(calls) == jobs.MAX_ATTEMPTS
    assert runner.invoke(args=["jobs", "drain"]).output.strip() == "waiting: 0, failed: 1"
    assert len(calls) == jobs.MAX_ATTEMPTS  # given up: kept for the operator, not retried forever


def test_a_job_that_recovers_is_done_and_gone(app, monkeypatch):
    from tests import jobs_probe

    real, outcomes = jobs_probe.note, [ConnectionRefusedError("down")]

    def recovering(text):
        if outcomes:
            raise outcomes.pop()
        return real(text)

    monkeypatch.setattr(jobs_probe, "note", recovering)
    with app.app_context():
        jobs.enqueue_after_commit("tests.jobs_probe:note", text="later")
        db.commit()
    assert len(_waiting(app)) == 1
    assert app.test_cli_runner().invoke(args=["jobs", "drain"]).output.strip() == "waiting: 0, failed: 0"
    assert _notes(app) == ["later"] and _waiting(app) == []


def test_a_rolled_back_change_leaves_no_job(app):
    with app.app_context():
        jobs.enqueue_after_commit("tests.jobs_probe:note", text="never")
        db.rollback()
        db.commit()
    assert _waiting(app) == [] and _notes(app) == []


def test_job_arguments_must_be_json(app):
    with app.app_context(), pytest.raises(TypeError):
        jobs.enqueue_after_commit("tests.jobs_probe:note", text=object())
