"""Administration: installed plugins, users and their rights, the audit trail."""
from __future__ import annotations

from flask import render_template
from sqlalchemy import select

from expo.core import db
from expo.core.errors import Forbidden
from expo.core.models import AuditEvent, User
from expo.core.plugins import plugin_list, plugin_manager
from expo.web.pages import protected_blueprint, user

bp = protected_blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _admins_only():
    if user().role != "admin":
        raise Forbidden()


@bp.get("/plugins")
def plugins():
    return render_template("admin/plugins.html", plugins=plugin_list(plugin_manager()))


@bp.get("/users")
def users():
    people = db.session().scalars(select(User).order_by(User.role, User.name)).all()
    return render_template("admin/users.html", users=people)


@bp.get("/audit")
def audit():
    events = db.session().scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(200)).all()
    names = {u.id: u.name for u in db.session().scalars(select(User))}
    return render_template("admin/audit.html", events=events, names=names)
