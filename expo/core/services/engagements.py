"""Engagements: opening, assigning, money, and moving through steps to a result.

The scenario engine (scenario definitions, outcomes, tasks from actions) builds on
``enter_step`` / ``complete_step`` / ``close_engagement``; they keep the engagement's state and
fire the lifecycle hooks in the documented order.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from expo.core import access, db, validation as v
from expo.core.errors import Conflict, ValidationError
from expo.core.models import RESULT_KINDS, Client, Engagement, Exhibition, User, utcnow
from expo.core.plugins import call
from expo.core.services import audit
from expo.core.services.clients import _check_manager

OPEN_FIELDS = {
    "client_id": v.integer(required=True),
    "exhibition_id": v.integer(required=True),
    "manager_id": v.integer(),
    "expected_amount": v.money(),
}
UPDATE_FIELDS = {
    "manager_id": v.integer(),
    "expected_amount": v.money(),
    "contract_amount": v.money(),
}
AMOUNTS = ("expected_amount", "contract_amount")


def open_engagement(data: Mapping[str, Any], user: User | None) -> Engagement:
    """Start work with a client for an exhibition; one engagement per (client, exhibition)."""
    access.require_write(user)
    values = v.clean(OPEN_FIELDS, data)
    session = db.session()
    client = session.get(Client, values["client_id"])
    if client is None or (user is not None and not access.can_see_client(user, client)):
        raise ValidationError(fields={"client_id": str(_l("No such client."))})
    if session.get(Exhibition, values["exhibition_id"]) is None:
        raise ValidationError(fields={"exhibition_id": str(_l("No such exhibition."))})
    manager_id = values.get("manager_id") or client.manager_id
    if user is not None and not user.can_assign:
        if values.get("manager_id") not in (None, user.id):
            raise ValidationError(fields={"manager_id": str(_l("Only a planner can assign engagements."))})
        manager_id = user.id
    _check_manager(manager_id)
    duplicate = session.scalar(
        select(Engagement.id).where(
            Engagement.client_id == client.id, Engagement.exhibition_id == values["exhibition_id"]
        )
    )
    if duplicate is not None:
        raise Conflict(
            _l("This client already has an engagement for this exhibition."),
            fields={"exhibition_id": str(_l("Already engaged for this exhibition."))},
        )
    engagement = Engagement(
        client_id=client.id,
        exhibition_id=values["exhibition_id"],
        manager_id=manager_id,
        expected_amount=values.get("expected_amount"),
        state="open",
    )
    session.add(engagement)
    session.flush()
    audit.record("create", "engagement", engagement.id, user,
                 client_id=client.id, exhibition_id=engagement.exhibition_id)
    call("engagement_opened", engagement=engagement, user=user)
    return engagement


def check_version(engagement: Engagement, expected_version: int | None) -> None:
    """A form or API call that saw an older version must not overwrite a newer change."""
    if expected_version is not None and expected_version != engagement.version:
        raise Conflict(_l("Someone else changed this engagement meanwhile; reload and try again."))


def update_engagement(engagement: Engagement, data: Mapping[str, Any], user: User | None,
                      expected_version: int | None = None) -> None:
    """Change an engagement's manager and/or amounts."""
    access.require_write(user)
    check_version(engagement, expected_version)
    values = v.clean(UPDATE_FIELDS, data, partial=True)
    if "manager_id" in values and values["manager_id"] != engagement.manager_id:
        assign_engagement(engagement, values["manager_id"], user)
    changes = {
        key: (getattr(engagement, key), values[key])
        for key in AMOUNTS
        if key in values and getattr(engagement, key) != values[key]
    }
    if changes:
        for key, (_old, new) in changes.items():
            setattr(engagement, key, new)
        db.session().flush()
        audit.record("update", "engagement", engagement.id, user, changes=changes)
        call("amounts_changed", engagement=engagement, changes=changes, user=user)


def assign_engagement(engagement: Engagement, manager_id: int | None, user: User | None) -> None:
    access.require_assign(user)
    _check_manager(manager_id)
    old = engagement.manager_id
    if old == manager_id:
        return
    engagement.manager_id = manager_id
    db.session().flush()
    audit.record("assign", "engagement", engagement.id, user, manager_id=[old, manager_id])
    call("engagement_assigned", engagement=engagement, old_manager_id=old,
         new_manager_id=manager_id, user=user)


def _require_open(engagement: Engagement) -> None:
    if engagement.state != "open":
        raise Conflict(_l("This engagement is already closed."))


def enter_step(engagement: Engagement, step: str, user: User | None) -> None:
    """Put an open engagement on step ``step`` (the scenario engine decides which)."""
    _require_open(engagement)
    engagement.step = step
    db.session().flush()
    call("step_entered", engagement=engagement, step=step, user=user)


def complete_step(engagement: Engagement, outcome: str, user: User | None) -> str:
    """Leave the current step through ``outcome``; returns the step left."""
    _require_open(engagement)
    if engagement.step is None:
        raise Conflict(_l("This engagement is not on a step."))
    step = engagement.step
    call("step_completed", engagement=engagement, step=step, outcome=outcome, user=user)
    return step


def close_engagement(engagement: Engagement, result: str, kind: str, user: User | None) -> None:
    """Close an engagement with a result of kind won / lost / declined."""
    if kind not in RESULT_KINDS:
        raise ValidationError(fields={"kind": str(_l("Unknown result kind."))})
    _require_open(engagement)
    engagement.state = kind
    engagement.result = result
    engagement.step = None
    engagement.closed_at = utcnow()
    db.session().flush()
    audit.record("close", "engagement", engagement.id, user, result=result, kind=kind)
    call("engagement_closed", engagement=engagement, result=result, kind=kind, user=user)
