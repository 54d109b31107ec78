"""The scenario engine: entering steps, choosing outcomes, closing with a result, reopening.

Every move writes the step log (the fact table of the analytics), keeps its denormalised columns
in step with the engagement, creates or cancels tasks, audits, and fires the lifecycle hooks in
this order: ``step_completed`` → ``step_entered`` (next step) or ``engagement_closed`` (result);
``reopen`` fires ``engagement_reopened`` → ``step_entered``.
The engagement row is updated *first* under its version counter, so of two concurrent clicks
exactly one moves it; the other gets a conflict and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import flag_modified

from expo.core import access, clock, db, validation as v
from expo.core.access import Actor
from expo.core.errors import Conflict, ValidationError
from expo.core.models import Engagement, ScenarioOutcome, ScenarioResult, ScenarioStep, StepLog
from expo.core.plugins import call
from expo.core.services import audit, engagement_counts, tasks


def check_version(engagement: Engagement, expected_version: int | None) -> None:
    """A form or API call that saw an older version must not overwrite a newer change."""
    if expected_version is not None and expected_version != engagement.version:
        raise Conflict(_l("Someone else changed this engagement meanwhile; reload and try again."))


def _require_open(engagement: Engagement) -> None:
    if engagement.state != "open":
        raise Conflict(_l("This engagement is already closed."))


def current_log(engagement: Engagement) -> StepLog | None:
    return db.session().scalar(select(StepLog).where(StepLog.engagement_id == engagement.id,
                                                     StepLog.left_at.is_(None)).order_by(StepLog.id.desc()))


def enter_step(engagement: Engagement, step: ScenarioStep, user: Actor) -> StepLog:
    """Put an open engagement on ``step``: a step-log row, tasks from the step's actions, the hook."""
    engagement.step = step.key
    engagement.stalled_at = None
    been_here = db.session().scalar(select(StepLog.id).where(StepLog.engagement_id == engagement.id,
                                                             StepLog.step == step.key).limit(1))
    log = StepLog(engagement_id=engagement.id, scenario_id=engagement.scenario_id,
                  exhibition_id=engagement.exhibition_id, manager_id=engagement.manager_id, step=step.key,
                  entered_at=clock.now(), entered_by_id=user.id, first_entry=been_here is None)
    db.session().add(log)
    db.session().flush()
    tasks.create_from_actions(engagement, step, log)
    call("step_entered", engagement=engagement, step=step.key, user=user)
    return log


COMMENT_MAX = 2000
# What may come with an outcome: a word on why (asked when it closes the engagement) and, for a
# result that needs it, the contract amount.
OUTCOME_DETAILS = {
    "comment": v.text(COMMENT_MAX, multiline=True),
    "contract_amount": v.money(),
}


@dataclass(frozen=True)
class Move:
    """Where an outcome of the current step leads: the next step, or a result that closes."""

    step: ScenarioStep
    outcome: ScenarioOutcome
    next_step: ScenarioStep | None
    result: ScenarioResult | None

    @property
    def closes(self) -> bool:
        return self.next_step is None

    @property
    def needs_amount(self) -> bool:
        return self.result is not None and self.result.requires_amount


def resolve_outcome(engagement: Engagement, outcome_key: str) -> Move:
    """The move ``outcome_key`` would make from the engagement's current step (nothing changes)."""
    _require_open(engagement)
    scenario = engagement.scenario
    step = scenario.step(engagement.step) if scenario else None
    if step is None:
        raise Conflict(_l("This engagement is not on a step of its scenario."))
    outcome = step.outcome(outcome_key) if isinstance(outcome_key, str) else None
    if outcome is None:
        raise ValidationError(
            _l("'%(outcome)s' is not an outcome of the step '%(step)s'.", outcome=outcome_key, step=step.title),
            fields={"outcome": str(_l("Choose one of: %(options)s.",
                                      options=", ".join(o.key for o in step.outcomes)))})
    next_step = scenario.step(outcome.next_step) if outcome.next_step else None
    result = scenario.result(outcome.result) if outcome.result else None
    return Move(step, outcome, next_step, result)


def _details(move: Move, engagement: Engagement, comment: Any, contract_amount: Any) -> dict:
    """The comment and contract amount checked against the move, before anything changes."""
    given = {key: value for key, value in (("comment", comment), ("contract_amount", contract_amount))
             if value is not None}
    values = v.clean(OUTCOME_DETAILS, given)
    amount = values.get("contract_amount")
    if amount is not None and not move.closes:
        raise ValidationError(fields={"contract_amount": str(
            _l("Only an outcome that closes the engagement takes the contract amount."))})
    if move.needs_amount:
        # An amount recorded before (on the engagement's form) counts; a zero one does not.
        known = amount if amount is not None else engagement.contract_amount
        if known is None or known <= 0:
            message = (_l("The result «%(result)s» needs the contract amount.", result=move.result.title)
                       if amount is None else _l("The contract amount must be more than zero."))
            raise ValidationError(fields={"contract_amount": str(message)})
    return values


def choose_outcome(engagement: Engagement, outcome_key: str, user: Actor,
                   expected_version: int | None = None, comment: Any = None, contract_amount: Any = None) -> None:
    """Leave the current step through ``outcome_key``: on to the next step, or closed with a result.

    ``comment`` is kept on the step-log row left (for a closing outcome: the row the engagement
    closed from); ``contract_amount`` goes onto the engagement before it closes, so the hooks and
    reports see a won result with its money. A result with ``requires_amount`` refuses to close
    without one. Every check runs before anything is written.
    """
    access.require_write(user)
    check_version(engagement, expected_version)
    move = resolve_outcome(engagement, outcome_key)
    details = _details(move, engagement, comment, contract_amount)
    step, outcome, next_step, result = move.step, move.outcome, move.next_step, move.result
    if details.get("contract_amount") is not None:
        from expo.core.services import engagements  # that module builds on this one

        engagements.update_engagement(engagement, {"contract_amount": details["contract_amount"]}, user)
    # Claim the transition: this UPDATE carries the version check (StaleDataError if we lost).
    engagement.step = next_step.key if next_step else None
    flag_modified(engagement, "step")  # an UPDATE (and version check) even when a step loops to itself
    db.session().flush()
    log = current_log(engagement)
    if log is not None:
        log.left_at, log.left_by_id, log.outcome = clock.now(), user.id, outcome.key
        log.comment = details.get("comment") or None
        tasks.cancel_open(log)
    audit.record("outcome", "engagement", engagement.id, user, step=step.key, outcome=outcome.key)
    call("step_completed", engagement=engagement, step=step.key, outcome=outcome.key, user=user)
    if next_step is not None:
        enter_step(engagement, next_step, user)
    else:
        _close(engagement, result, user, log)


def _close(engagement: Engagement, result: ScenarioResult, user: Actor, log: StepLog | None) -> None:
    if log is not None:
        log.closing = True
    was = engagement_counts.key_of(engagement)
    engagement.state = result.kind
    engagement.result = result.key
    engagement.closed_at = clock.now()
    engagement.step = None
    db.session().flush()
    engagement_counts.moved(engagement, was)
    db.session().execute(
        update(StepLog).where(StepLog.engagement_id == engagement.id)
        .values(result=result.key, result_kind=result.kind, result_reason=result.reason)
    )
    audit.record("close", "engagement", engagement.id, user, result=result.key, kind=result.kind)
    call("engagement_closed", engagement=engagement, result=result.key, kind=result.kind, user=user)


def reopen(engagement: Engagement, user: Actor, expected_version: int | None = None) -> None:
    """Open a closed engagement again on the step it closed from (planners and admins; audited)."""
    access.require_assign(user)
    check_version(engagement, expected_version)
    if engagement.state == "open":
        raise Conflict(_l("This engagement is open already."))
    last = db.session().scalar(select(StepLog).where(StepLog.engagement_id == engagement.id)
                               .order_by(StepLog.id.desc()).limit(1))
    step = engagement.scenario.step(last.step) if last and engagement.scenario else None
    if step is None:
        raise Conflict(_l("This engagement has no step to return to."))
    previous_result, previous_kind = engagement.result, engagement.state
    was = engagement_counts.key_of(engagement)
    engagement.state, engagement.result, engagement.closed_at = "open", None, None
    db.session().flush()
    engagement_counts.moved(engagement, was)
    db.session().execute(update(StepLog).where(StepLog.engagement_id == engagement.id)
                         .values(result=None, result_kind=None, result_reason=None, closing=False))
    audit.record("reopen", "engagement", engagement.id, user, previous_result=previous_result, step=step.key)
    call("engagement_reopened", engagement=engagement, previous_result=previous_result,
         previous_kind=previous_kind, user=user)
    enter_step(engagement, step, user)


def history(engagement: Engagement) -> list[StepLog]:
    return list(db.session().scalars(select(StepLog).where(StepLog.engagement_id == engagement.id)
                                     .order_by(StepLog.id)))
