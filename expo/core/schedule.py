"""Recurring jobs on RQ 3's cron scheduler.

The core's own (the deadline check) plus whatever enabled plugins declare (``register_scheduled_jobs``).
Each runs on the ``expo`` queue through the same code path as any job. The jobs themselves are
idempotent (an escalation is sent once per miss), so a scheduler restart never repeats work.
"""
from __future__ import annotations

import multiprocessing
import time

from flask import current_app

from expo.core.jobs import QUEUE_NAME, run_on_worker
from expo.core.plugins import registered
from expo.core.hooktypes import ScheduledJob

CORE_JOBS = [
    ScheduledJob("deadlines", "*/15 * * * *", "expo.core.services.tasks:run_deadline_checks"),
    ScheduledJob("report-subscriptions", "*/5 * * * *", "expo.core.reports.subscriptions:run_due_subscriptions"),
    ScheduledJob("report-retention", "30 3 * * *", "expo.core.reports.generate:purge_old_reports"),
    ScheduledJob("client-purge", "45 3 * * *", "expo.core.services.deletion:run_purge"),
    ScheduledJob("job-outbox", "* * * * *", "expo.core.jobs:drain_outbox"),
    ScheduledJob("login-sessions", "50 3 * * *", "expo.core.services.users:purge_expired_sessions"),
]


RECONNECT_SECONDS = 5


def all_jobs() -> list[ScheduledJob]:
    return [*CORE_JOBS, *registered("register_scheduled_jobs")]


def cron_scheduler(connection):
    from rq.cron import CronScheduler

    scheduler = CronScheduler(connection=connection, name="expo")
    for job in all_jobs():
        scheduler.register(run_on_worker, QUEUE_NAME, args=(job.func, {}), cron=job.cron)
    return scheduler


def run_forever(redis_url: str) -> None:
    """Run the cron scheduler; when Redis goes away, wait and start it again (RQ's loop would just end)."""
    from redis import Redis
    from redis.exceptions import RedisError

    while True:
        try:
            cron_scheduler(Redis.from_url(redis_url)).start()
            return  # stopped by a signal
        except RedisError as problem:
            current_app.logger.warning("scheduler lost Redis (%s); retrying in %d s", problem, RECONNECT_SECONDS)
            time.sleep(RECONNECT_SECONDS)


def _run(redis_url: str) -> None:
    from expo import create_app

    with create_app().app_context():
        run_forever(redis_url)


def start_in_child_process(redis_url: str) -> multiprocessing.Process:
    process = multiprocessing.Process(target=_run, args=(redis_url,), name="expo-scheduler", daemon=True)
    process.start()
    current_app.logger.info("scheduler started (pid %s)", process.pid)
    return process
