"""Writes: status ratings from the rules on closing (withdrawn on reopening), the personal and
exhibition ratings planners set, the rule set, and a deleted client's rows.

Every change of a rating writes a ``RatingChange`` (who, when, old → new, why) and keeps the
client's maintained sums (``ratings_clients``) right in the same transaction, so the lists can
sort by one column. Nothing here commits: the caller (a view, a job) does.
"""
from __future__ import annotations

from sqlalchemy import delete, exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite

from expo.hooks import Forbidden, audit_record, db_session, enqueue_after_commit, models, now
from expo_ratings import rules as rule_set
from expo_ratings.models import ClientRating, EngagementRating, RatingChange, Recomputation


RECOMPUTE_TIMEOUT = 1800  # seconds a recomputation job may run on a worker

def insert_ignoring_duplicates(model):
    """``INSERT … ON CONFLICT DO NOTHING`` on either database: two transactions may create the
    same client's or engagement's row at once, and neither should fail for it."""
    dialect = postgresql if db_session().get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def record_change(client_id: int, component: str, old: int | None, new: int | None, cause: str, user,
                  engagement_id: int | None = None, note: str | None = None) -> None:
    db_session().add(RatingChange(at=now(), user_id=user.id, client_id=client_id, engagement_id=engagement_id,
                                  component=component, old_value=old, new_value=new, cause=cause, note=note))


def refresh_clients(client_condition) -> None:
    """Bring the maintained sums of the clients matching ``client_condition(column)`` up to date.

    Two set-based statements: create the missing rows of clients that have a status rating,
    then set ``status`` = Σ their engagements' status ratings and ``total`` = status + personal
    where they differ. Recomputing the sum (rather than adding a difference) heals any drift.
    """
    rated = EngagementRating
    missing = (select(rated.client_id, literal(0), literal(0), literal(0)).distinct()
               .where(client_condition(rated.client_id), rated.status.is_not(None),
                      ~exists().where(ClientRating.client_id == rated.client_id)))
    db_session().execute(insert_ignoring_duplicates(ClientRating)
                         .from_select(["client_id", "personal", "status", "total"], missing)
                         .on_conflict_do_nothing())
    status_sum = func.coalesce(select(func.sum(rated.status)).where(rated.client_id == ClientRating.client_id)
                               .scalar_subquery(), 0)
    db_session().execute(update(ClientRating).where(client_condition(ClientRating.client_id),
                                                    ClientRating.status != status_sum)
                         .values(status=status_sum, total=status_sum + ClientRating.personal)
                         .execution_options(synchronize_session=False))


def lock_client(client_id: int) -> int:
    """Create the client's sums row if it has none, lock it, and return the personal rating.

    Every change of a client's ratings takes this lock first (PostgreSQL; SQLite has one writer at
    a time anyway), so changes to one client queue up and each refreshes the sums from what the
    ones before it committed, rather than from a snapshot taken while they were still running.
    """
    session = db_session()
    session.execute(insert_ignoring_duplicates(ClientRating)
                    .values(client_id=client_id, personal=0, status=0, total=0).on_conflict_do_nothing())
    return session.scalar(select(ClientRating.personal).where(ClientRating.client_id == client_id).with_for_update())


def _engagement_row(engagement: models.Engagement) -> EngagementRating:
    """The engagement's rating row, created if it has none (locked on PostgreSQL for the change)."""
    session = db_session()
    session.execute(insert_ignoring_duplicates(EngagementRating)
                    .values(engagement_id=engagement.id, client_id=engagement.client_id, status=None, exhibition=0)
                    .on_conflict_do_nothing())
    return session.scalars(select(EngagementRating).where(EngagementRating.engagement_id == engagement.id)
                           .with_for_update().execution_options(populate_existing=True)).one()


def _set_status(engagement: models.Engagement, value: int | None, cause: str, note: str | None, user) -> None:
    lock_client(engagement.client_id)
    current = db_session().scalar(select(EngagementRating.status)
                                  .where(EngagementRating.engagement_id == engagement.id))
    if current == value:
        return
    row = _engagement_row(engagement)
    old, row.status = row.status, value
    record_change(engagement.client_id, "status", old, value, cause, user, engagement.id, note)
    db_session().flush()
    refresh_clients(lambda column: column == engagement.client_id)


def rate_closed(engagement: models.Engagement, result: str, kind: str, user) -> None:
    """``engagement_closed``: the status rating by the rules; closing again replaces it (one per
    engagement, never added twice)."""
    result_row = models.ScenarioResult
    reason = (select(result_row.reason).where(result_row.scenario_id == engagement.scenario_id,
                                              result_row.key == result).scalar_subquery())
    points = db_session().scalar(select(rule_set.points_for(result, kind, reason)))
    _set_status(engagement, points, "rule", result, user)


def withdraw_status(engagement: models.Engagement, previous_result: str | None, user) -> None:
    """``engagement_reopened``: the status rating goes until the engagement closes again."""
    _set_status(engagement, None, "reopen", previous_result, user)


def require_planner(user) -> None:
    if not user.can_assign:  # planners and admins (and SYSTEM)
        raise Forbidden()


def set_personal(client: models.Client, data: dict, user, strict: bool = False) -> bool:
    """A planner sets the client's personal rating (``data`` = ``{"value": n}``, ``strict`` for
    JSON); returns whether it changed."""
    require_planner(user)
    value = rule_set.rating_value(data, strict)
    old = lock_client(client.id)
    if old == value:
        return False
    db_session().execute(update(ClientRating).where(ClientRating.client_id == client.id)
                    .values(personal=value, total=ClientRating.status + value)
                    .execution_options(synchronize_session=False))
    record_change(client.id, "personal", old, value, "manual", user)
    audit_record("rate", "client", client.id, user, component="personal", old=old, new=value)
    return True


def set_exhibition(engagement: models.Engagement, data: dict, user, strict: bool = False) -> bool:
    """A planner sets the client's weight in this engagement's exhibition (as ``set_personal``)."""
    require_planner(user)
    value = rule_set.rating_value(data, strict)
    row = _engagement_row(engagement)
    if row.exhibition == value:
        return False
    old, row.exhibition = row.exhibition, value
    record_change(engagement.client_id, "exhibition", old, value, "manual", user, engagement.id)
    audit_record("rate", "engagement", engagement.id, user, component="exhibition", old=old, new=value)
    db_session().flush()
    return True


def start_recomputation(trigger: str, user) -> Recomputation:
    """Queue a recomputation of every status rating; it runs once this transaction commits."""
    run = Recomputation(trigger=trigger, state="queued", requested_by_id=user.id, created_at=now())
    db_session().add(run)
    db_session().flush()
    # RQ's default of 180 s is short for a big firm (200 000 clients: about a minute, bench/ratings_speed.py)
    enqueue_after_commit("expo_ratings.jobs:recompute", {"job_timeout": RECOMPUTE_TIMEOUT}, recomputation_id=run.id)
    return run


def save_rules(rows, user, strict: bool = False) -> Recomputation:
    """Replace the rule set (planners and admins), audited, and queue the recomputation it calls for."""
    require_planner(user)
    cleaned = rule_set.clean_rules(rows, strict)
    before = [rule_set.rule_json(rule) for rule in rule_set.current_rules()]
    rule_set.replace_rules(cleaned)
    audit_record("update", "rating_rules", None, user, before=before,
                 after=[rule_set.rule_json(rule) for rule in rule_set.current_rules()])
    return start_recomputation("rules", user)


def request_recomputation(user) -> Recomputation:
    """The "Recompute now" button (after re-enabling the plugin, say): planners and admins."""
    require_planner(user)
    audit_record("recompute", "rating_rules", None, user)
    return start_recomputation("button", user)


def forget_client(client_id: int) -> None:
    """``client_deleted``: the client's ratings and their history go with it."""
    session = db_session()
    for model in (RatingChange, EngagementRating, ClientRating):
        session.execute(delete(model).where(model.client_id == client_id))

