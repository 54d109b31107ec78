"""Engagements: opening one on a scenario, assigning it, its money.

Moving an engagement through its scenario is :mod:`expo.core.services.process`.
"""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from expo.core import access, clock, db, validation as v
from expo.core.access import Actor
from expo.core.errors import Conflict, ValidationError
from expo.core.models import Client, Engagement, Exhibition, StepLog
from expo.core.plugins import call
from expo.core.scenarios import store
from expo.core.services import apply_changes, audit, engagement_counts, process, refusing_duplicates, tasks
from expo.core.services.clients import _check_manager, reassign

OPEN_FIELDS = {
    "client_id": v.identifier(required=True),
    "exhibition_id": v.identifier(required=True),
    "scenario_id": v.identifier(),
    "manager_id": v.identifier(),
    "expected_amount": v.money(),
}
UPDATE_FIELDS = {
    "manager_id": v.identifier(),
    "expected_amount": v.money(),
    "contract_amount": v.money(),
}
AMOUNTS = ("expected_amount", "contract_amount")
DUPLICATE = _l("This client already has an engagement for this exhibition.")
ALREADY_ENGAGED = _l("Already engaged for this exhibition.")


def open_engagement(data: Mapping[str, Any], user: Actor) -> Engagement:
    """Start work with a client for an exhibition; one engagement per (client, exhibition)."""
    access.require_write(user)
    values = v.clean(OPEN_FIELDS, data)
    session = db.session()
    client = session.get(Client, values["client_id"])
    if client is None or not access.can_see_client(user, client):
        raise ValidationError(fields={"client_id": str(_l("No such client."))})
    if session.get(Exhibition, values["exhibition_id"]) is None:
        raise ValidationError(fields={"exhibition_id": str(_l("No such exhibition."))})
    if values.get("scenario_id") is not None:
        scenario = store.current_version(values["scenario_id"])
        if scenario is None:
            raise ValidationError(fields={"scenario_id": str(_l("No such scenario."))})
    else:
        scenario = store.default_scenario()
    manager_id = values.get("manager_id") or client.manager_id
    if not user.can_assign:
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
        raise Conflict(DUPLICATE, fields={"exhibition_id": str(ALREADY_ENGAGED)})
    engagement = Engagement(
        client_id=client.id,
        exhibition_id=values["exhibition_id"],
        manager_id=manager_id,
        scenario_id=scenario.id,
        expected_amount=values.get("expected_amount"),
        state="open",
        opened_at=clock.now(),
    )
    session.add(engagement)
    with refusing_duplicates(DUPLICATE, uq_engagements_client_id_exhibition_id=("exhibition_id", ALREADY_ENGAGED)):
        session.flush()
    engagement_counts.opened(engagement)
    audit.record("create", "engagement", engagement.id, user, client_id=client.id,
                 exhibition_id=engagement.exhibition_id, scenario_id=scenario.id)
    call("engagement_opened", engagement=engagement, user=user)
    process.enter_step(engagement, scenario.steps[0], user)  # the first step is the entry step
    return engagement


def update_engagement(engagement: Engagement, data: Mapping[str, Any], user: Actor,
                      expected_version: int | None = None) -> None:
    """Change an engagement's manager and/or amounts."""
    access.require_write(user)
    process.check_version(engagement, expected_version)
    values = v.clean(UPDATE_FIELDS, data, partial=True)
    if "manager_id" in values and values["manager_id"] != engagement.manager_id:
        assign_engagement(engagement, values["manager_id"], user)
    changes = apply_changes(engagement, {key: values[key] for key in AMOUNTS if key in values})
    if changes:
        db.session().flush()
        audit.record("update", "engagement", engagement.id, user, changes=changes)
        call("amounts_changed", engagement=engagement, changes=changes, user=user)


def assign_engagement(engagement: Engagement, manager_id: int | None, user: Actor) -> None:
    """Hand an engagement to a client-manager; its step log and open tasks follow it."""
    changed, old = reassign(engagement, manager_id, user)
    if not changed:
        return
    engagement_counts.moved(engagement, engagement_counts.key_of(engagement, manager_id=old))
    db.session().execute(update(StepLog).where(StepLog.engagement_id == engagement.id).values(manager_id=manager_id))
    tasks.reassign_open(engagement, manager_id)
    call("engagement_assigned", engagement=engagement, old_manager_id=old,
         new_manager_id=manager_id, user=user)
