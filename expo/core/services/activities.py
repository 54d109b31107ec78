"""Logged interactions with a client: kept forever, whoever leaves the firm."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from sqlalchemy import update

from expo.core import access, clock, db, validation as v
from expo.core.access import Actor
from expo.core.errors import ValidationError
from expo.core.models import ACTIVITY_KINDS, Activity, Client, Engagement
from expo.core.services import audit

ACTIVITY_FIELDS = {
    "kind": v.choice(ACTIVITY_KINDS, required=True),
    "text": v.text(10000, required=True, multiline=True),
    "engagement_id": v.identifier(),
}


def log_activity(client: Client, data: Mapping[str, Any], user: Actor) -> Activity:
    access.require_write(user)
    values = v.clean(ACTIVITY_FIELDS, data)
    engagement_id = values.get("engagement_id")
    if engagement_id is not None:
        engagement = db.session().get(Engagement, engagement_id)
        if engagement is None or engagement.client_id != client.id or (
            not access.can_see_engagement(user, engagement)
        ):
            raise ValidationError(fields={"engagement_id": str(_l("No such engagement for this client."))})
    activity = Activity(client_id=client.id, author_id=user.id, occurred_at=clock.now(), **values)
    session = db.session()
    session.add(activity)
    if engagement_id is not None:  # new activity means the engagement is moving again
        session.execute(update(Engagement).where(Engagement.id == engagement_id).values(stalled_at=None))
    session.flush()
    audit.record("create", "activity", activity.id, user, client_id=client.id, kind=activity.kind)
    return activity
