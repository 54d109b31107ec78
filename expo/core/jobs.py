"""Background work: one code path whether jobs run in-process or on RQ workers.

``EXPO_REDIS_URL`` unset: a job runs synchronously right after the commit that queued it.
Set: it is pushed to the ``expo`` RQ queue and an ``expo worker`` process runs it.
Either way the job is given as an importable ``"module:function"`` path and runs inside an
app context with its own database transaction.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from flask import Flask, current_app

from expo.core import db
from expo.core.errors import ExpoError

log = logging.getLogger(__name__)


class QueueUnavailable(ExpoError):
    status = 503
    code = "queue_unavailable"

    def default_message(self):
        from flask_babel import lazy_gettext as _l

        return _l("The job queue is unavailable right now; try again later.")
QUEUE_NAME = "expo"
_PENDING = "expo.pending_jobs"


def enqueue_after_commit(func: str, rq_options: dict | None = None, **kwargs: Any) -> None:
    """Queue ``func(**kwargs)`` to run once the current transaction commits.

    Dropped if the transaction rolls back, so a failed change never sends mail or starts work.
    ``rq_options`` (``job_timeout``, ``retry``) apply when the job goes to RQ.
    """
    if not isinstance(func, str) or ":" not in func:
        raise ValueError("func must be an importable 'module:function' path")
    db.session().info.setdefault(_PENDING, []).append((func, rq_options, kwargs))


def discard_pending(session) -> None:
    session.info.pop(_PENDING, None)


def flush_pending(session) -> None:
    """Hand the jobs queued in ``session`` over; called by :func:`expo.core.db.commit`.

    The change they follow is committed already: a failing job is logged (and, on RQ, kept in the
    failed-job registry), never turned into an error for the request that queued it, and the
    jobs after it still run.
    """
    for func, rq_options, kwargs in session.info.pop(_PENDING, []):
        try:
            enqueue(func, rq_options, **kwargs)
        except Exception:
            session.rollback()
            log.exception("job %s(%s) failed", func, kwargs)


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


def queue():
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(current_app.config["REDIS_URL"]))


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


def run_on_worker(func: str, kwargs: dict) -> Any:
    """Entry point RQ calls: runs the job inside the worker's app (built once if not given)."""
    if _worker_app is None:
        from expo import create_app

        use_app_for_jobs(create_app())
    with _worker_app.app_context():
        return run_job(func, kwargs)
