"""Writes: saved segments, reactivation tasks (through the core's task service), recomputation."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, select, true
from sqlalchemy.orm import aliased

from expo.hooks import Conflict, Forbidden, audit_record, create_task, db_session, fields, models, now, today
from expo_segments.models import ClientClass, SavedSegment
from expo_segments.queries import ABC, XYZ

CATEGORIES = ("active", "potential", "lost")
SEGMENT_FIELDS = {
    "name": fields.text(200, required=True),
    "region": fields.text(100), "industry": fields.text(100), "channel": fields.text(100),
    "sales_category": fields.choice(CATEGORIES), "abc": fields.choice(ABC), "xyz": fields.choice(XYZ),
}
FILTER_KEYS = ("region", "industry", "channel", "sales_category", "abc", "xyz")


def save_segment(data, user) -> SavedSegment:
    """A named filter anyone but viewers can save; empty filters are left out."""
    if not user.can_write:
        raise Forbidden()
    values = fields.clean(SEGMENT_FIELDS, {k: v for k, v in data.items() if k in SEGMENT_FIELDS or k == "name"})
    segment = SavedSegment(name=values.pop("name"), filters={k: v for k, v in values.items() if v},
                           created_by_id=user.id, created_at=now())
    db_session().add(segment)
    db_session().flush()
    audit_record("create", "segment", segment.id, user, name=segment.name, filters=segment.filters)
    return segment


def subscriptions_using(segment: SavedSegment) -> list[str]:
    """The names of the report subscriptions narrowed by ``segment`` (a handful of rows: read whole)."""
    subscriptions = db_session().scalars(select(models.ReportSubscription)).all()
    return sorted(s.name for s in subscriptions if str((s.filters or {}).get("segment")) == str(segment.id))


def delete_segment(segment: SavedSegment, user) -> None:
    """Delete a saved segment (its author or a planner); not while a report subscription uses it,
    whose mailings would otherwise go out about nobody."""
    if not (user.can_assign or segment.created_by_id == user.id):
        raise Forbidden()
    if using := subscriptions_using(segment):
        raise Conflict(_l("Report subscriptions use this segment: %(names)s. Change them first.",
                          names=", ".join(using)))
    audit_record("delete", "segment", segment.id, user, name=segment.name)
    db_session().delete(segment)


def segment_condition(filters: dict):
    """The SQL condition on ``Client`` of a segment's filters."""
    Client = models.Client
    # An alias, correlated to Client only: the query this condition joins may read ClientClass itself.
    found = aliased(ClientClass, name="segment_classes")
    terms = [getattr(Client, key) == filters[key] for key in ("region", "industry", "channel") if filters.get(key)]
    classes = [getattr(found, key) == filters[key] for key in ("abc", "xyz") if filters.get(key)]
    if filters.get("sales_category"):
        classes.append(found.category == filters["sales_category"])
    if classes:
        terms.append(exists().where(found.client_id == Client.id, *classes).correlate(Client))
    return and_(true(), *terms)


def reactivation_task(client, user):
    """A task for the client's manager to win the client back, due in two days."""
    return create_task(client, {"title": str(_l("Reactivate: %(client)s", client=client.name)),
                                "due_on": today() + timedelta(days=2),
                                "instructions": str(_l("The client has not bought for longer than usual: call, "
                                                       "offer what it used to buy."))}, user)
