"""Engagement pages: open one from a client card, see it, change its manager and amounts."""
from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import select

from expo.core import access, db
from expo.core.errors import ExpoError, ValidationError
from expo.core.models import ACTIVITY_KINDS, Activity
from expo.core.plugins import collect
from expo.core.services import engagements as service
from expo.web.pages import assignable_users, form_data, protected_blueprint, redirect_after_post, user

bp = protected_blueprint("engagements", __name__, url_prefix="/engagements")


@bp.post("/")
def open_():
    me = user()
    values = form_data(service.OPEN_FIELDS)
    try:
        engagement = service.open_engagement(values, me)
        db.commit()
    except ExpoError as problem:
        db.rollback()
        message = "; ".join(problem.fields.values()) or str(problem.message)
        return render_template("error.html", status=problem.status, message=message), problem.status
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


def _page(engagement, errors=None, values=None, status=200):
    me = user()
    manager_options = [(m.id, m.name) for m in assignable_users()] if me.can_assign else []
    history = db.session().scalars(
        select(Activity).where(Activity.engagement_id == engagement.id).order_by(Activity.occurred_at.desc())
    ).all()
    return render_template(
        "engagements/show.html", engagement=engagement, errors=errors or {}, values=values or {},
        manager_options=manager_options, history=history, activity_kinds=ACTIVITY_KINDS,
        panels=collect("engagement_panels", engagement=engagement, user=me),
    ), status


@bp.get("/<int:engagement_id>")
def show(engagement_id: int):
    return _page(access.get_engagement(user(), engagement_id))


@bp.post("/<int:engagement_id>")
def update(engagement_id: int):
    me = user()
    engagement = access.get_engagement(me, engagement_id)
    values = form_data(service.UPDATE_FIELDS)
    if not me.can_assign:
        values.pop("manager_id", None)
    try:
        version = int(request.form.get("version", ""))
    except ValueError:
        version = None
    try:
        service.update_engagement(engagement, values, me, expected_version=version)
        db.commit()
    except ValidationError as problem:
        db.rollback()
        return _page(engagement, problem.fields, values, 422)
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))
