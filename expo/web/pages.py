"""Helpers shared by page views: full page or HTMX fragment, login for whole blueprints."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, render_template, request, url_for
from flask_login import current_user, login_required

from expo.core.models import User


def protected_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint every view of which needs a logged-in user."""
    bp = Blueprint(name, import_name, **kwargs)

    @bp.before_request
    @login_required
    def _require_login():
        return None

    return bp


def user() -> User:
    return current_user._get_current_object()


def assignable_users() -> list[User]:
    """People a planner can hand clients to."""
    from sqlalchemy import select

    from expo.core import db

    return db.session().scalars(
        select(User).where(User.active, User.role.in_(("manager", "planner", "admin"))).order_by(User.name)
    ).all()


def page_or_fragment(page_template: str, fragment_template: str, status: int = 200, **context):
    """Render the fragment for an HTMX request, the full page otherwise.

    A history restore (HTMX cache miss) gets the full page; ``Vary`` keeps caches apart.
    """
    wants_fragment = request.htmx and not request.htmx.history_restore_request
    response = render_template(fragment_template if wants_fragment else page_template, **context)
    return response, status, {"Vary": "HX-Request"}


def safe_local_url(target: str | None, fallback: str | None = None) -> str:
    """``target`` if it is a path on this site, else ``fallback`` (the start page).

    Only local paths: an open redirect would let a phishing link borrow our pages.
    """
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) \
            and not urlsplit(target).netloc and not any(c in target for c in "\r\n\t"):
        return target
    return fallback or url_for("home.index")


def form_data(fields) -> dict:
    """The submitted values of the given schema's fields (missing checkboxes/inputs are skipped)."""
    return {key: request.form[key] for key in fields if key in request.form}


def save_form(fields, save):
    """Handle a create/edit form POST: ``save(values)`` through a service, committed.

    Returns ``(saved, values, errors)``: the saved object (None when the input was refused),
    the submitted values to show again, and the field messages.
    """
    from expo.core import db
    from expo.core.errors import ValidationError

    values = form_data(fields)
    try:
        saved = save(values)
        db.commit()
        return saved, values, {}
    except ValidationError as problem:
        db.rollback()
        return None, values, problem.fields


def redirect_after_post(url: str):
    """Redirect after a successful POST; an HTMX request gets HX-Redirect (a 302 would be swapped in)."""
    from flask import redirect

    if request.htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)
