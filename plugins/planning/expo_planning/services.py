"""Writes of the planning plugin: an engagement's planned, refined and actual amounts, a period's
target and closing. Each validates first (a bad value changes nothing), keeps the history
(``BudgetChange``) and the audit log, and leaves the commit to the caller.

Who may do what: planners and admins plan, set targets and close periods; whoever may work an
engagement (its manager, planners, admins) refines it and records its actual amount; viewers
write nothing. The actual amount is the core's ``contract_amount``, written through the core's
``update_engagement`` so its hooks fire; the history of it is kept by the ``amounts_changed``
hook (``record_actual``), whoever changed it.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from expo.hooks import (Forbidden, ValidationError, audit_record, db_session, fields, models, now,
                        update_engagement)
from expo_planning import months
from expo_planning.models import Budget, BudgetChange, Period

PLAN_FIELDS = {"amount": fields.money(required=True), "period": fields.period(required=True)}
REFINE_FIELDS = {"amount": fields.money(required=True), "comment": fields.text(1000, multiline=True)}
ACTUAL_FIELDS = {"amount": fields.money(required=True)}
TARGET_FIELDS = {"target": fields.money()}


def require_planner(user) -> None:
    if not getattr(user, "can_assign", False):
        raise Forbidden(_l("Only planners and admins plan budgets."))


def require_worker(user, engagement: models.Engagement) -> None:
    """The engagement's manager, a planner or an admin (a viewer or another manager may not)."""
    if not user.can_write or not (user.can_assign or engagement.manager_id == user.id):
        raise Forbidden()


def budget_of(engagement_id: int) -> Budget | None:
    return db_session().get(Budget, engagement_id)


def is_closed(period: str) -> bool:
    found = db_session().get(Period, period)
    return found is not None and found.closed_at is not None


def _refuse_closed(period: str, field: str = "amount") -> None:
    if is_closed(period):
        raise ValidationError(fields={field: str(_l("The period %(period)s is closed.", period=period))})


def _history(engagement_id: int, kind: str, old, new, user, period: str | None = None, comment: str | None = None):
    db_session().add(BudgetChange(engagement_id=engagement_id, kind=kind, period=period, old_amount=old, amount=new,
                                  comment=comment, user_id=getattr(user, "id", None), at=now()))


def set_planned(engagement: models.Engagement, data, user) -> Budget:
    """The planner's estimate of ``engagement`` for a period: ``{"amount", "period"}``."""
    require_planner(user)
    values = fields.clean(PLAN_FIELDS, data)
    budget = budget_of(engagement.id)
    if budget is not None:
        _refuse_closed(budget.period, "period")
    _refuse_closed(values["period"], "period")
    if budget is None:
        budget = Budget(engagement_id=engagement.id, period=values["period"], planned=values["amount"])
        _copy(engagement, budget)
        db_session().add(budget)
        old_amount, old_period = None, None
    else:
        old_amount, old_period = budget.planned, budget.period
        if (old_amount, old_period) == (values["amount"], values["period"]):
            return budget
        budget.planned, budget.period = values["amount"], values["period"]
    budget.updated_at = now()
    _history(engagement.id, "planned", old_amount, values["amount"], user, period=values["period"])
    audit_record("update", "planning_budget", engagement.id, user, planned=str(values["amount"]),
                 period=values["period"], old_planned=None if old_amount is None else str(old_amount),
                 old_period=old_period)
    months.recount(old_period, values["period"])
    return budget


def refine(engagement: models.Engagement, data, user) -> Budget:
    """A correction during negotiation: ``{"amount", "comment"}``; the latest one is current."""
    require_worker(user, engagement)
    values = fields.clean(REFINE_FIELDS, data)
    budget = budget_of(engagement.id)
    if budget is None:
        raise ValidationError(fields={"amount": str(_l("This engagement has no planned amount yet."))})
    _refuse_closed(budget.period)
    if engagement.state != "open":
        raise ValidationError(fields={"amount": str(_l("The engagement is closed: correct its actual amount instead."))})
    old = budget.refined
    budget.refined, budget.updated_at = values["amount"], now()
    _history(engagement.id, "refined", old, values["amount"], user, period=budget.period,
             comment=values.get("comment"))
    audit_record("update", "planning_budget", engagement.id, user, refined=str(values["amount"]))
    months.recount(budget.period)
    return budget


def set_actual(engagement: models.Engagement, data, user) -> None:
    """The contract amount of a won engagement, through the core (``contract_amount``)."""
    require_worker(user, engagement)
    values = fields.clean(ACTUAL_FIELDS, data)
    if engagement.state != "won":
        raise ValidationError(fields={"amount": str(_l("Only a won engagement has an actual amount."))})
    budget = budget_of(engagement.id)
    if budget is not None:
        _refuse_closed(budget.period)
    update_engagement(engagement, {"contract_amount": values["amount"]}, user)  # its hook keeps the history


def record_actual(engagement: models.Engagement, changes: dict, user) -> None:
    """The ``amounts_changed`` hook: a planned engagement's contract amount changed (here or in
    the core's own form), so its copy follows and its history says so."""
    budget = budget_of(engagement.id)
    if budget is None:
        return
    if _copy(engagement, budget):
        months.recount(budget.period)
    if "contract_amount" in changes:
        old, new = changes["contract_amount"]
        _history(engagement.id, "actual", old, new, user, period=budget.period)


def sync(engagement: models.Engagement) -> None:
    """The hooks of closing, reopening and reassigning: the budget's copies follow the engagement."""
    budget = budget_of(engagement.id)
    if budget is not None and _copy(engagement, budget):
        months.recount(budget.period)


def _copy(engagement: models.Engagement, budget: Budget) -> bool:
    """Copy the engagement's key, state and contract; True when what a month sums changed (a
    new manager alone does not: the months are the whole firm's)."""
    budget.client_id, budget.exhibition_id, budget.manager_id = (engagement.client_id, engagement.exhibition_id,
                                                                 engagement.manager_id)
    actual = engagement.contract_amount if engagement.state == "won" else None
    changed = (budget.state, budget.actual) != (engagement.state, actual)
    budget.state, budget.actual = engagement.state, actual
    return changed


def set_target(period: str, data, user) -> Period:
    """The firm's target for a month: ``{"target"}`` (blank: none)."""
    require_planner(user)
    period = fields.clean({"period": fields.period(required=True)}, {"period": period})["period"]
    values = fields.clean(TARGET_FIELDS, data)
    _refuse_closed(period, "target")
    found = db_session().get(Period, period) or Period(period=period)
    db_session().add(found)
    old = found.target
    found.target = values.get("target")
    audit_record("update", "planning_period", None, user, period=period, target=_text(found.target), old=_text(old))
    db_session().flush()
    return found


def close_period(period: str, user, closed: bool = True) -> Period:
    """Close a month (its refinements and actuals become final), or open it again."""
    require_planner(user)
    period = fields.clean({"period": fields.period(required=True)}, {"period": period})["period"]
    found = db_session().get(Period, period) or Period(period=period)
    db_session().add(found)
    found.closed_at, found.closed_by_id = (now(), getattr(user, "id", None)) if closed else (None, None)
    audit_record("close" if closed else "reopen", "planning_period", None, user, period=period)
    db_session().flush()
    return found


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)
