"""Behind every number of the funnel: the list of those engagements.

A number is named by ``step`` (optional) and ``kind``:

- at a step: ``entered``, ``passed``, ``dropped``, ``in_progress`` (as the funnel counts them);
- a result kind: ``won``, ``lost``, ``declined`` — at ``step`` when given — or one ``result`` key;
- without a step: ``worked`` (every engagement of the selection), ``closed``, ``open``.

Each is a condition on ``Engagement.id`` over the same rows the funnel counted, so a list's
length is the number that led to it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select, true

from expo.hooks import ValidationError, db_session, models, scope_engagements
from expo_funnel.sources import DROPPED, Engagement, StepLog, engagement_conditions, log_conditions
from expo_funnel.selection import Selection

AT_STEP = ("entered", "passed", "dropped", "in_progress")
RESULT_KINDS = ("won", "lost", "declined")
WHOLE = ("worked", "closed", "open")
KINDS = AT_STEP + RESULT_KINDS + WHOLE


def _logged(sel: Selection, *conditions):
    return Engagement.id.in_(select(StepLog.engagement_id).where(*log_conditions(sel), *conditions))


def condition(sel: Selection, kind: str, step: str | None, result: str | None):
    """The engagements behind one number; a :class:`ValidationError` for a name that is none."""
    if kind not in KINDS:
        raise ValidationError(fields={"kind": str(_l("Choose one of: %(options)s.", options=", ".join(KINDS)))})
    if kind in AT_STEP and not step:
        raise ValidationError(fields={"step": str(_l("Name the step."))})
    at = (StepLog.step == step,) if step else ()
    dropped = _logged(sel, *at, StepLog.closing, StepLog.result_kind.in_(DROPPED))
    here_now = _logged(sel, *at, StepLog.left_at.is_(None))
    if kind == "entered":
        return _logged(sel, *at, StepLog.first_entry)
    if kind == "dropped":
        return dropped
    if kind == "in_progress":
        return here_now
    if kind == "passed":
        return and_(_logged(sel, *at, StepLog.first_entry), ~dropped, ~here_now)
    if kind in RESULT_KINDS or result:
        closing = [StepLog.closing, *at]
        closing.append(StepLog.result == result if result else StepLog.result_kind == kind)
        return _logged(sel, *closing)
    if step:
        raise ValidationError(fields={"step": str(_l("This number is not counted per step."))})
    if kind == "closed":
        return Engagement.state != "open"
    if kind == "open":
        return Engagement.state == "open"
    return true()  # worked: the whole selection


def engagements(sel: Selection, user, kind: str, step: str | None, result: str | None, limit: int, offset: int):
    """``(engagements, total)``: one page, the newest first, of those the user may see."""
    query = scope_engagements(select(Engagement).where(*engagement_conditions(sel),
                                                      condition(sel, kind, step, result)), user)
    total = db_session().scalar(select(func.count()).select_from(query.subquery()))
    rows = db_session().scalars(query.order_by(Engagement.id.desc()).limit(limit).offset(offset)).unique().all()
    return rows, total


def row(engagement: models.Engagement) -> dict:
    """An engagement as the drill-down lists it (the API's item)."""
    return {"id": engagement.id, "client_id": engagement.client_id, "client": engagement.client.name,
            "exhibition_id": engagement.exhibition_id, "exhibition": engagement.exhibition.name,
            "manager_id": engagement.manager_id, "manager": engagement.manager.name if engagement.manager else None,
            "state": engagement.state, "result": engagement.result, "step": engagement.step,
            "expected_amount": f"{engagement.expected_amount:.2f}" if engagement.expected_amount is not None else None,
            "contract_amount": f"{engagement.contract_amount:.2f}" if engagement.contract_amount is not None else None,
            "opened_at": engagement.opened_at.isoformat(),
            "closed_at": engagement.closed_at.isoformat() if engagement.closed_at else None}
