"""/api/v1/engagements."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy import func, select

from expo.core import access, db
from expo.core.errors import ValidationError
from expo.core.models import ENGAGEMENT_STATES, Engagement
from expo.core.services import engagements as service
from expo.core.validation import parse_id
from expo.web.api import bp
from expo.web.api.common import api_user, body, engagement_json, expected_version, listing, paging

ID_FILTERS = ("client_id", "exhibition_id", "manager_id")


@bp.get("/engagements")
def engagements_list():
    limit, offset = paging()
    query = access.scope_engagements(select(Engagement), api_user())
    errors = {}
    for key in ID_FILTERS:
        raw = request.args.get(key, "")
        if raw:
            if parse_id(raw) is not None:
                query = query.where(getattr(Engagement, key) == parse_id(raw))
            else:
                errors[key] = _("Must be a whole number.")
    state = request.args.get("state", "")
    if state:
        if state in ENGAGEMENT_STATES:
            query = query.where(Engagement.state == state)
        else:
            errors["state"] = _("Must be one of: %(options)s.", options=", ".join(ENGAGEMENT_STATES))
    if errors:
        raise ValidationError(fields=errors)
    total = db.session().scalar(select(func.count()).select_from(query.with_only_columns(Engagement.id).subquery()))
    rows = db.session().scalars(query.order_by(Engagement.id).offset(offset).limit(limit))
    return listing([engagement_json(e) for e in rows], total, limit, offset)


@bp.post("/engagements")
def engagements_create():
    engagement = service.open_engagement(body(), api_user())
    db.commit()
    return engagement_json(engagement), 201


@bp.get("/engagements/<int:engagement_id>")
def engagements_get(engagement_id: int):
    return engagement_json(access.get_engagement(api_user(), engagement_id))


@bp.patch("/engagements/<int:engagement_id>")
def engagements_patch(engagement_id: int):
    engagement = access.get_engagement(api_user(), engagement_id)
    data = body()
    version = expected_version(data)
    data.pop("version", None)
    service.update_engagement(engagement, data, api_user(), expected_version=version)
    db.commit()
    return engagement_json(engagement)
