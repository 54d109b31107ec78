"""Administration: installed plugins, users with their rights and API tokens, the audit trail,
deleted clients."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from expo.core import clock, db
from expo.core.errors import Forbidden, NotFound
from expo.core.models import ROLES, ApiToken, User
from expo.core.permissions import all_permissions
from expo.core.plugins import plugin_list, plugin_manager
from expo.core.queries import paging_from_args
from expo.core.queries.people import (AuditFilter, all_users, api_tokens_by_user, audit_page, audited_objects,
                                      last_logins)
from expo.core.services import audit as audit_service, deletion, users as users_service
from expo.core.validation import parse_id
from expo.web.pages import protected_blueprint, redirect_after_post, save_or_refuse, user

bp = protected_blueprint("admin", __name__, url_prefix="/admin")
AUDIT_PAGE = 50
NO_PASSWORD = _l("Enter a password or tick «generate».")
NO_CACHE = {"Cache-Control": "no-store"}  # a page showing a one-time password must not be kept


@bp.before_request
def _admins_only():
    if user().role != "admin":
        raise Forbidden()


@bp.get("/plugins")
def plugins():
    return render_template("admin/plugins.html", plugins=plugin_list(plugin_manager()))


def _users_page(status: int = 200, values=None, errors=None, **extra):
    return render_template("admin/users.html", users=all_users(), tokens=api_tokens_by_user(), now=clock.now(),
                           logins=last_logins(), roles=ROLES, rights=all_permissions(),
                           values=values or {}, errors=errors or {}, **extra), status


@bp.get("/users")
def users():
    return _users_page()


def _password_from_form() -> tuple[str | None, bool]:
    """The password typed, or a generated one when «generate» is ticked: ``(password, generated)``."""
    if request.form.get("generate"):
        return users_service.generate_password(), True
    return request.form.get("password") or None, False


@bp.post("/users")
def create_user():
    """Create a user; the password (typed or generated) is shown once on the answer, never again."""
    values = {key: request.form.get(key, "") for key in ("name", "email", "role")}
    password, generated = _password_from_form()
    if password is None:
        return _users_page(422, values, {"password": str(NO_PASSWORD)})
    rights = request.form.getlist("permissions")

    def save():
        created = users_service.create_user({**values, "password": password}, user())
        users_service.set_permissions(created, rights, user())
        return created

    created, errors = save_or_refuse(save)
    if errors:
        return _users_page(422, {**values, "permissions": rights}, errors)
    return render_template("admin/user_password.html", person=created, password=password if generated else None,
                           created=True), 200, NO_CACHE


def _person(user_id: int) -> User:
    person = db.session().get(User, user_id) if user_id < 2**31 else None
    if person is None:
        raise NotFound()
    return person


def _user_page(person: User, status: int = 200, errors=None):
    tokens = api_tokens_by_user().get(person.id, [])
    return render_template("admin/user_edit.html", person=person, roles=ROLES, rights=all_permissions(),
                           tokens=tokens, now=clock.now(), errors=errors or {}), status


@bp.get("/users/<int:user_id>")
def edit_user(user_id: int):
    return _user_page(_person(user_id))


@bp.post("/users/<int:user_id>/access")
def set_access(user_id: int):
    """Role and extra rights in one form (the last active administrator keeps the role)."""
    person = _person(user_id)
    role, rights = request.form.get("role", ""), request.form.getlist("permissions")

    def save():
        users_service.set_role(person, role, user())
        users_service.set_permissions(person, rights, user())

    _, errors = save_or_refuse(save)
    if errors:
        return _user_page(_person(user_id), 422, errors)
    return redirect_after_post(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
def set_active(user_id: int):
    """Deactivate (logged out everywhere, tokens revoked) or let back in; ``active`` is 0 or 1."""
    person = _person(user_id)
    wanted = request.form.get("active")
    if wanted not in ("0", "1"):
        abort(400)
    _, errors = save_or_refuse(lambda: users_service.set_active(person, wanted == "1", user()))
    if errors:
        return _user_page(_person(user_id), 422, errors)
    return redirect_after_post(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    """A new password, typed or generated (shown once); every session and API token of the user ends."""
    person = _person(user_id)
    password, generated = _password_from_form()
    if password is None:
        return _user_page(person, 422, {"password": str(NO_PASSWORD)})
    _, errors = save_or_refuse(lambda: users_service.set_password(person, password, user(), revoke_tokens=True))
    if errors:
        return _user_page(_person(user_id), 422, errors)
    return render_template("admin/user_password.html", person=person, password=password if generated else None,
                           created=False), 200, NO_CACHE


@bp.post("/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int):
    token = db.session().get(ApiToken, token_id) if token_id < 2**31 else None
    if token is None:
        raise NotFound()
    users_service.revoke_token(token, user())
    db.commit()
    return redirect_after_post(url_for("admin.users"))


def _day(key: str, errors: dict) -> date | None:
    raw = (request.args.get(key) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[key] = str(_l("Not a date (YYYY-MM-DD)."))
        return None


@bp.get("/audit")
def audit():
    """The audit trail, newest first, filtered by who / what / when (the firm's days), 50 a page."""
    errors: dict = {}
    raw_user = request.args.get("user_id") or ""
    chosen_user = parse_id(raw_user) if raw_user else None
    if raw_user and chosen_user is None:
        errors["user_id"] = str(_l("Unknown user."))
    action = request.args.get("action") or None
    if action and action not in audit_service.ACTION_LABELS:
        errors["action"] = str(_l("Unknown action."))
        action = None
    chosen = AuditFilter(user_id=chosen_user, action=action, day_from=_day("from", errors), day_to=_day("to", errors))
    _, offset = paging_from_args(request.args, AUDIT_PAGE)
    events, more = audit_page(chosen, AUDIT_PAGE, offset)
    people = all_users()
    names = {person.id: person.name for person in people}
    args = {key: value for key, value in request.args.items() if key != "offset" and value}
    return render_template("admin/audit.html", events=events, names=names, people=people, objects=audited_objects(events),
                           actions=sorted(((key, str(text)) for key, text in audit_service.ACTION_LABELS.items()),
                                          key=lambda pair: pair[1]),
                           describe=audit_service, values=request.args, errors=errors, offset=offset,
                           limit=AUDIT_PAGE, more=more, args=args), 422 if errors else 200


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
