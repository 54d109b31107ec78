"""Background jobs: queued after commit, dropped on rollback; in-process or on a real RQ worker."""
from __future__ import annotations

import os

import pytest
from redis import Redis
from sqlalchemy import select

from expo.core import db
from expo.core.models import AuditEvent
from expo.hooks import enqueue_after_commit

REDIS_URL = os.environ.get("EXPO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _notes(app):
    with app.app_context():
        return [e.details["text"] for e in db.session().scalars(
            select(AuditEvent).where(AuditEvent.action == "probe_job").order_by(AuditEvent.id))]


def test_in_process_jobs_run_after_commit_and_never_after_rollback(app):
    with app.app_context():
        enqueue_after_commit("tests.jobs_probe:note", text="rolled back")
        db.rollback()
        enqueue_after_commit("tests.jobs_probe:note", text="committed")
        assert _notes(app) == []  # not before the commit
        db.commit()
    assert _notes(app) == ["committed"]


def test_a_job_must_be_an_importable_path(app):
    with app.app_context(), pytest.raises(ValueError):
        enqueue_after_commit(print)


@pytest.fixture
def redis_url():
    try:
        connection = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
        connection.ping()
    except Exception as problem:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is required under CI and is not reachable: {problem}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {problem}")
    connection.flushdb()
    yield REDIS_URL
    connection.flushdb()


def test_jobs_go_through_redis_to_a_real_rq_worker(make_app, redis_url, monkeypatch):
    app = make_app(REDIS_URL=redis_url)
    with app.app_context():
        enqueue_after_commit("tests.jobs_probe:note", text="via rq")
        db.commit()
    assert _notes(app) == []  # queued, not run here
    # `expo worker --burst`: a real RQ worker that forks a work horse for the job
    from expo.core import jobs

    monkeypatch.setattr(jobs, "_worker_app", None)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert _notes(app) == ["via rq"]
