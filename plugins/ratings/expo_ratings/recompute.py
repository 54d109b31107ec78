"""The recomputation: every status rating set again from the current rules, in set-based SQL.

It goes through the clients in batches of ``EXPO_RATINGS_BATCH`` ids (default 5 000), at most
six statements a batch whatever the batch holds, and commits each batch, so a big firm's run shows
its progress and never holds long locks. A status rating that already equals what the rules
give is left alone, so running it twice changes nothing the second time (idempotent), and only
real changes enter the history (cause ``recomputation``).

The first run on a firm is the *backfill*: the plugin's first migration leaves a pending run
(the marker that ratings are enabled here for the first time) and the first request after
start-up claims it (docs/decisions/0013-ratings.md).
"""
from __future__ import annotations

import logging
from typing import Callable

from flask import current_app
from sqlalchemy import Integer, and_, case, exists, func, literal, select, update
from sqlalchemy.exc import SQLAlchemyError

from expo.hooks import commit, db_session, enqueue_after_commit, models, now, plugin_setting, rollback
from expo_ratings.models import ClientRating, EngagementRating, RatingChange, Recomputation
from expo_ratings.rules import points_for
from expo_ratings.services import RECOMPUTE_TIMEOUT, insert_ignoring_duplicates, refresh_clients

log = logging.getLogger(__name__)
_CHECKED = "ratings.pending_checked"


def _targets(first_id: int, after_id: int):
    """The batch's engagements with the status rating the rules give them now (None while open).

    The rules are matched once per result of each scenario version (a few dozen rows), and the
    engagements joined to that small table by (scenario, result key): no rule lookup per row.
    """
    engagement, result = models.Engagement, models.ScenarioResult
    points = select(result.scenario_id, result.key, points_for(result.key, result.kind, result.reason)
                    .label("points")).subquery("rule_points")
    status = case((engagement.state != "open", points.c.points), else_=None)
    return (select(engagement.id.label("engagement_id"), engagement.client_id, engagement.result,
                   status.label("status"))
            .outerjoin(points, and_(points.c.scenario_id == engagement.scenario_id, points.c.key == engagement.result))
            .where(engagement.client_id >= first_id, engagement.client_id < after_id)).subquery("targets")


def recompute_batch(first_id: int, after_id: int, user_id: int | None) -> int:
    """Set the status ratings of the clients with ids in [first_id, after_id); returns how many
    changed. The history names ``user_id`` (who asked for the run; None: the system)."""
    rated, session = EngagementRating, db_session()
    targets = _targets(first_id, after_id)
    # 0. The batch's clients locked (in id order), as each single change locks its client first.
    session.execute(select(ClientRating.client_id).where(ClientRating.client_id >= first_id,
                                                         ClientRating.client_id < after_id)
                    .order_by(ClientRating.client_id).with_for_update())
    # 1. The history first, while the old values are still there.
    differing = (select(literal(now(), models.UTCDateTime), literal(user_id, Integer), targets.c.client_id,
                        targets.c.engagement_id, literal("status"), rated.status, targets.c.status,
                        literal("recomputation"), targets.c.result)
                 .select_from(targets.outerjoin(rated, rated.engagement_id == targets.c.engagement_id))
                 .where(rated.status.is_distinct_from(targets.c.status)))
    changed = session.execute(RatingChange.__table__.insert().from_select(
        ["at", "user_id", "client_id", "engagement_id", "component", "old_value", "new_value", "cause", "note"],
        differing).execution_options(preserve_rowcount=True)).rowcount
    if changed:
        # 2. Rows that exist take the new value (UPDATE … FROM); 3. engagements without one get one.
        session.execute(update(rated).where(rated.engagement_id == targets.c.engagement_id,
                                            rated.status.is_distinct_from(targets.c.status))
                        .values(status=targets.c.status).execution_options(synchronize_session=False))
        new_rows = (select(targets.c.engagement_id, targets.c.client_id, targets.c.status, literal(0))
                    .where(targets.c.status.is_not(None),
                           ~exists().where(rated.engagement_id == targets.c.engagement_id)))
        session.execute(insert_ignoring_duplicates(rated)
                        .from_select(["engagement_id", "client_id", "status", "exhibition"], new_rows)
                        .on_conflict_do_nothing())
    # 4. The clients' maintained sums (always: this also heals a sum a concurrent change left stale).
    refresh_clients(lambda column: and_(column >= first_id, column < after_id))
    return changed


def run(recomputation_id: int, progress: Callable[[Recomputation], None] | None = None) -> Recomputation | None:
    """Carry out a queued run (a job, or ``expo ratings recompute``), committing batch by batch;
    the changes are recorded as made by whoever asked for the run.

    A failure marks the run failed with the error and is raised again (RQ keeps the job).
    """
    session = db_session()
    recomputation = session.get(Recomputation, recomputation_id)
    if recomputation is None or recomputation.state == "done":
        return recomputation
    client = models.Client
    low, high = session.execute(select(func.min(client.id), func.max(client.id))).one()
    batch = max(1, plugin_setting("RATINGS_BATCH", 5000))
    recomputation.state, recomputation.started_at, recomputation.error = "running", now(), None
    recomputation.total = (high - low + 1) if low is not None else 0
    recomputation.done = recomputation.changed = 0
    commit()
    try:
        for first in range(low or 0, (high or -1) + 1, batch):
            recomputation.changed += recompute_batch(first, first + batch, recomputation.requested_by_id)
            recomputation.done = min(first + batch, high + 1) - low
            commit()
            if progress:
                progress(recomputation)
        recomputation.state, recomputation.finished_at = "done", now()
        commit()
    except Exception as problem:
        rollback()
        recomputation = session.get(Recomputation, recomputation_id)
        recomputation.state, recomputation.finished_at, recomputation.error = "failed", now(), str(problem)[:2000]
        commit()
        raise
    return recomputation


def claim_pending(trigger: str | None = None) -> Recomputation | None:
    """Take the pending run the first migration left, once across every process (an atomic
    ``UPDATE … WHERE state = 'pending'``); None when there is none or another process took it."""
    session = db_session()
    pending_id = session.scalar(select(Recomputation.id).where(Recomputation.state == "pending")
                                .order_by(Recomputation.id).limit(1))
    if pending_id is None:
        return None
    values = {"state": "queued"} if trigger is None else {"state": "queued", "trigger": trigger}
    claimed = session.execute(update(Recomputation).where(Recomputation.id == pending_id,
                                                          Recomputation.state == "pending").values(**values)).rowcount
    return session.get(Recomputation, pending_id) if claimed else None


def start_pending_once() -> None:
    """Run before a process's first request: start the backfill if the plugin was just enabled.

    One query per process (then a flag in ``app.extensions``); a missing table (the operator has
    not run ``expo db upgrade`` yet) is logged, not raised, so the pages still answer.
    """
    app = current_app._get_current_object()
    if app.extensions.get(_CHECKED):
        return
    app.extensions[_CHECKED] = True
    try:
        pending = claim_pending()
    except SQLAlchemyError:
        rollback()
        log.warning("ratings: its tables are missing; run `expo db upgrade`")
        return
    if pending is not None:
        enqueue_after_commit("expo_ratings.jobs:recompute", {"job_timeout": RECOMPUTE_TIMEOUT},
                             recomputation_id=pending.id)
        log.info("ratings: enabled for the first time, giving closed engagements their status ratings")
    commit()
