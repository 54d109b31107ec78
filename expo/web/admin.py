"""Administration: installed plugins, users with their rights and API tokens, the audit trail,
deleted clients."""
from __future__ import annotations

from flask import render_template, request, url_for

from expo.core import clock, db
from expo.core.errors import Forbidden, NotFound
from expo.core.models import ApiToken
from expo.core.plugins import plugin_list, plugin_manager
from expo.core.queries import paging_from_args
from expo.core.queries.people import all_users, api_tokens_by_user, recent_audit_events
from expo.core.services import deletion, users as users_service
from expo.core.validation import parse_id
from expo.web.pages import protected_blueprint, redirect_after_post, user

bp = protected_blueprint("admin", __name__, url_prefix="/admin")
AUDIT_LIMIT = 200


@bp.before_request
def _admins_only():
    if user().role != "admin":
        raise Forbidden()


@bp.get("/plugins")
def plugins():
    return render_template("admin/plugins.html", plugins=plugin_list(plugin_manager()))


@bp.get("/users")
def users():
    return render_template("admin/users.html", users=all_users(), tokens=api_tokens_by_user(), now=clock.now())


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session().get(ApiToken, token_id) if token_id < 2**31 else None
    if token is None:
        raise NotFound()
    users_service.revoke_token(token, user())
    db.commit()
    return redirect_after_post(url_for("admin.users"))


@bp.get("/audit")
def audit():
    events, names = recent_audit_events(AUDIT_LIMIT)
    return render_template("admin/audit.html", events=events, names=names)


@bp.get("/deleted-clients")
def deleted_clients():
    limit, offset = paging_from_args(request.args, 100)
    clients, total = deletion.deleted_clients(limit, offset)
    return render_template("admin/deleted_clients.html", clients=clients, total=total, limit=limit, offset=offset,
                           purge_days=deletion.purge_days())


@bp.post("/deleted-clients/restore")
def restore_clients():
    """Restore the ticked clients (or one, from its row's button)."""
    ids = [i for i in (parse_id(v) for v in request.form.getlist("client_id")) if i is not None]
    deletion.restore_clients(ids, user())
    db.commit()
    return redirect_after_post(url_for("admin.deleted_clients"))
