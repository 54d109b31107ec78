"""Helpers shared by page views (the core's and plugins', through :mod:`expo.hooks`).

Login for whole blueprints, full page or HTMX fragment, redirect after a POST, and the shapes of
form handling: a service call that commits or hands back its field errors, a create/edit form
saved through a service, and an inline HTMX form that answers 422 with its fragment (or, posted
without JavaScript, the error page).
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required

from expo.core import db
from expo.core.errors import Conflict, ValidationError
from expo.core.exports import csv_delimiter
from expo.core.models import User
from expo.core.spreadsheets import CSV_MIMETYPE, csv_chunks


def protected_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint every view of which needs a logged-in user (anonymous visitors go to login)."""
    bp = Blueprint(name, import_name, **kwargs)

    @bp.before_request
    @login_required
    def _require_login():
        return None

    return bp


def user() -> User:
    return current_user._get_current_object()


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


def form_data(fields: Iterable[str]) -> dict:
    """The submitted values of the given schema's fields (missing checkboxes/inputs are skipped)."""
    return {key: request.form[key] for key in fields if key in request.form}


def save_or_refuse(save: Callable[[], Any]) -> tuple[Any, dict]:
    """Run ``save()`` (a service call) and commit: ``(its result, {})``, or — when the input was
    refused with field messages — ``(None, {field: message})`` after a rollback, to show the form
    again with a 422. A refusal no field explains (a stale form, a missing right) propagates."""
    try:
        result = save()
        db.commit()
        return result, {}
    except (ValidationError, Conflict) as problem:
        if not problem.fields:
            raise
        db.rollback()
        return None, problem.fields


def save_form(fields: Mapping[str, Any], obj: Any, create: Callable[[dict], Any],
              update: Callable[[Any, dict], Any], ignore: Iterable[str] = ()):
    """Handle a create/edit form POST: ``create(values)`` when ``obj`` is None, else
    ``update(obj, values)``, through a service, committed.

    ``ignore`` names submitted fields the service must not see (a field the user's form does not
    offer). Returns ``(saved, values, errors)``: the saved object (None when the input was
    refused), the submitted values to show again, and the field messages.
    """
    values = form_data(fields)
    submitted = {key: value for key, value in values.items() if key not in set(ignore)}

    def save():
        if obj is None:
            return create(submitted)
        update(obj, submitted)
        return obj

    saved, errors = save_or_refuse(save)
    return saved, values, errors


def inline_form(save: Callable[[], Any], refused: Callable[[dict], str]):
    """Run ``save()`` (a service call) and commit; on a ValidationError answer the HTMX form.

    An HTMX request gets ``refused(field_errors)`` (the form fragment again) with status 422; a
    plain form post re-raises, so the error page lists each field's problem. Returns ``None`` when
    saved, else the 422 response.
    """
    try:
        save()
        db.commit()
    except ValidationError as problem:
        if not request.htmx:
            raise
        db.rollback()
        return refused(problem.fields), 422
    return None


def redirect_after_post(url: str):
    """Redirect after a successful POST; an HTMX request gets HX-Redirect (a 302 would be swapped in)."""
    if request.htmx:
        return "", 204, {"HX-Redirect": url}
    return redirect(url)


def csv_download(filename: str, rows: Iterable[Iterable[Any]]):
    """A CSV file as Excel opens it (UTF-8 with BOM; ``;`` in the Russian locale, ``,`` in English),
    formula-like text escaped; ``rows`` are lists of values, the header first (translated). Audit the
    export before answering."""
    return Response(stream_with_context(csv_chunks(rows, csv_delimiter())), mimetype=CSV_MIMETYPE,
                    headers={"Content-Disposition": f"attachment; filename={filename}"})
