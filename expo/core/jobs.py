"""Background work: one code path whether jobs run in-process or on RQ workers.

``EXPO_REDIS_URL`` unset: a job runs synchronously right after the commit that queued it.
Set: it is pushed to the ``expo`` RQ queue and an ``expo worker`` process runs it.
Either way the job is given as an importable ``"module:function"`` path and runs inside an
app context with its own database transaction.

Jobs queued with :func:`enqueue_after_commit` go through the *outbox* (``job_outbox``): the row
is written in the transaction of the change it follows, so the two commit or vanish together.
After the commit it is handed over (pushed to RQ, or run here); if Redis is down it waits, and
:func:`drain_outbox` (every minute on the scheduler, at worker start, ``expo jobs drain``) hands
it over once Redis is back. The row is deleted only when the job has *run*, so Redis losing its
queue (a restart without persistence) loses nothing either. A worker claims the row before
running it, so a job handed over twice still runs once. See docs/decisions/0015-job-outbox.md.

:func:`enqueue` is for work a user is waiting for (report generation): it is pushed at once, and
Redis down is a 503 ``queue_unavailable`` there and then.
"""
from __future__ import annotations

import importlib
import json
import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import delete, func as sql_func, select, update

from expo.core import clock, db
from expo.core.errors import ExpoError
from expo.core.models import PendingJob

log = logging.getLogger(__name__)


class QueueUnavailable(ExpoError):
    status = 503
    code = "queue_unavailable"

    def default_message(self):
        from flask_babel import lazy_gettext as _l

        return _l("The job queue is unavailable right now; try again later.")


QUEUE_NAME = "expo"
_PENDING = "expo.pending_jobs"
CLAIM_TIMEOUT = timedelta(minutes=30)  # longer than any job's job_timeout: a claim older than this was abandoned
RESEND_AFTER = timedelta(minutes=10)  # handed over but never claimed: Redis may have lost it
MAX_ATTEMPTS = 5  # then the row stays, marked failed, for the operator (expo jobs drain lists them)


def enqueue_after_commit(func: str, rq_options: dict | None = None, **kwargs: Any) -> None:
    """Queue ``func(**kwargs)`` to run once the current transaction commits.

    Dropped if the transaction rolls back, so a failed change never sends mail or starts work.
    ``rq_options`` (``job_timeout``, ``retry``) apply when the job goes to RQ. ``kwargs`` must be
    JSON values (ids, strings): they are stored in the outbox until the job has run.
    """
    if not isinstance(func, str) or ":" not in func:
        raise ValueError("func must be an importable 'module:function' path")
    json.dumps(kwargs)  # a TypeError here, in the caller, rather than at commit
    row = PendingJob(func=func, kwargs=kwargs, options=_options_to_json(rq_options or {}), created_at=clock.now())
    session = db.session()
    session.add(row)
    session.info.setdefault(_PENDING, []).append(row)


def discard_pending(session) -> None:
    session.info.pop(_PENDING, None)


def flush_pending(session) -> None:
    """Hand over the jobs queued in ``session``; called by :func:`expo.core.db.commit`.

    The change they follow is committed already, and so are their outbox rows: a job that cannot
    be handed over (Redis down) or fails in-process is logged and kept for the next drain, never
    turned into an error for the request that queued it.
    """
    for row in session.info.pop(_PENDING, []):
        hand_over(row.id)


def hand_over(job_id: int) -> None:
    """Push one outbox job to RQ, or run it in-process without Redis; failures keep it waiting."""
    if current_app.config.get("REDIS_URL"):
        from redis.exceptions import RedisError

        row = db.session().get(PendingJob, job_id)
        if row is None:
            return  # it ran meanwhile
        try:
            queue().enqueue("expo.core.jobs.run_pending_on_worker", job_id, **_options_from_json(row.options))
        except RedisError as problem:
            log.warning("job %s (%s) waits in the outbox: the queue is unavailable (%s)", job_id, row.func, problem)
            return
        db.session().execute(update(PendingJob).where(PendingJob.id == job_id).values(handed_over_at=clock.now()))
        db.commit()
    else:
        try:
            run_pending(job_id)
        except Exception:
            log.exception("job %s failed; it stays in the outbox for the next drain", job_id)


def run_pending(job_id: int) -> Any:
    """Claim an outbox job, run it, and delete its row; returns None if it ran (or runs) elsewhere."""
    session = db.session()
    now = clock.now()
    claimed = session.execute(
        update(PendingJob)
        .where(PendingJob.id == job_id, PendingJob.failed_at.is_(None),
               PendingJob.claimed_at.is_(None) | (PendingJob.claimed_at < now - CLAIM_TIMEOUT))
        .values(claimed_at=now, attempts=PendingJob.attempts + 1)
    ).rowcount
    db.commit()
    if claimed != 1:
        return None  # done already (the row is gone), given up, or another worker has it
    row = session.get(PendingJob, job_id)
    session.refresh(row)
    func, kwargs, attempts = row.func, dict(row.kwargs), row.attempts
    try:
        result = _resolve(func)(**kwargs)
        session.execute(delete(PendingJob).where(PendingJob.id == job_id))
        db.commit()
        return result
    except Exception as problem:
        db.rollback()
        session.execute(update(PendingJob).where(PendingJob.id == job_id).values(
            claimed_at=None, last_error=f"{type(problem).__name__}: {problem}"[:2000],
            failed_at=clock.now() if attempts >= MAX_ATTEMPTS else None))
        db.commit()
        raise


def drain_outbox() -> dict:
    """Hand over every job still waiting: never handed over, lost by Redis, or abandoned by a worker.

    Scheduled every minute; also run when a worker starts and by ``expo jobs drain``.
    """
    now = clock.now()
    waiting = db.session().scalars(
        select(PendingJob.id).where(
            PendingJob.failed_at.is_(None),
            PendingJob.claimed_at.is_(None) | (PendingJob.claimed_at < now - CLAIM_TIMEOUT),
            PendingJob.handed_over_at.is_(None) | (PendingJob.handed_over_at < now - RESEND_AFTER))
        .order_by(PendingJob.id).limit(1000)).all()
    db.commit()  # end the read before handing over (in-process jobs commit on their own)
    for job_id in waiting:
        hand_over(job_id)
    return outbox_state()


def outbox_state() -> dict:
    """How many outbox jobs wait, and how many were given up (kept for the operator)."""
    rows = db.session().execute(select(PendingJob.failed_at.is_(None), sql_func.count()).group_by(
        PendingJob.failed_at.is_(None))).all()
    counts = {bool(waiting): n for waiting, n in rows}
    return {"waiting": counts.get(True, 0), "failed": counts.get(False, 0)}


def enqueue(func: str, rq_options: dict | None = None, **kwargs: Any) -> None:
    """Run ``func(**kwargs)`` as a job now: on the RQ queue, or in-process without Redis.

    ``rq_options`` (``job_timeout``, ``retry``, …) apply on RQ only. Raises
    :class:`QueueUnavailable` when Redis is configured but cannot be reached: the in-process path
    is never used silently in place of a production queue.
    """
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        from redis.exceptions import RedisError

        try:
            queue().enqueue("expo.core.jobs.run_on_worker", func, kwargs, **(rq_options or {}))
        except RedisError as problem:
            raise QueueUnavailable() from problem
    else:
        run_job(func, kwargs)


def require_queue() -> None:
    """Raise :class:`QueueUnavailable` (503) now if Redis is configured and does not answer.

    For actions a user waits for ("send now"): better to say so than to accept work that would
    sit in the outbox until Redis is back.
    """
    if current_app.config.get("REDIS_URL"):
        from redis.exceptions import RedisError

        try:
            queue().connection.ping()
        except RedisError as problem:
            raise QueueUnavailable() from problem


def queue():
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def _options_to_json(options: dict) -> dict:
    from rq import Retry

    out = dict(options)
    if isinstance(out.get("retry"), Retry):
        out["retry"] = {"max": out["retry"].max, "interval": out["retry"].intervals}
    return out


def _options_from_json(options: dict) -> dict:
    from rq import Retry

    out = dict(options)
    if isinstance(out.get("retry"), dict):
        out["retry"] = Retry(max=out["retry"]["max"], interval=out["retry"]["interval"])
    return out


def _resolve(func: str):
    module, _, name = func.partition(":")
    return getattr(importlib.import_module(module), name)


def run_job(func: str, kwargs: dict) -> Any:
    """Run a job in the current app context and commit what it wrote."""
    result = _resolve(func)(**kwargs)
    db.commit()
    return result


_worker_app: Flask | None = None


def use_app_for_jobs(app: Flask) -> None:
    """Set the app jobs run in (``expo worker`` passes the one it built from the settings)."""
    global _worker_app
    _worker_app = app


def _app() -> Flask:
    if _worker_app is None:
        from expo import create_app

        use_app_for_jobs(create_app())
    return _worker_app


def run_on_worker(func: str, kwargs: dict) -> Any:
    """Entry point RQ calls for :func:`enqueue`: runs the job inside the worker's app."""
    with _app().app_context():
        return run_job(func, kwargs)


def run_pending_on_worker(job_id: int) -> Any:
    """Entry point RQ calls for outbox jobs."""
    with _app().app_context():
        return run_pending(job_id)
