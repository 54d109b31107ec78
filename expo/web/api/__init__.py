"""JSON API under /api/v1, authenticated with ``Authorization: Bearer <token>``."""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import gettext as _

from expo.core import db
from expo.core.errors import ExpoError
from expo.core.services.users import user_for_token
from expo.web.api.errors import error_response

PREFIX = "/api/v1"
bp = Blueprint("api", __name__, url_prefix=PREFIX)
PUBLIC_ENDPOINTS = {"api.openapi"}


def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        return error_response(401, "unauthorized", _("A valid bearer token is required."))
    g.api_user = user
    rule = request.url_rule
    declared = openapi.declared_query(rule.rule, request.method, user) if rule else {}
    unknown = set(request.args) - set(declared) if rule else set()
    if unknown:  # a typo in a filter must not silently list everything
        return error_response(422, "validation_error", _("Please correct the highlighted fields."),
                              {key: _("Unknown parameter.") for key in sorted(unknown)})
    # Each parameter once, a number where the document says integer (an id, paging), one of the
    # choices where it lists them: the API reads one value, so a second one — or a blank
    # "manager_id=" or "segment=", which a page form may send for "all" — would be silently ignored.
    wrong = {key: _("Give this parameter once.") for key, values in request.args.lists() if len(values) > 1}
    for key, value in request.args.items():
        schema = declared.get(key, {})
        if key in wrong:
            continue
        if schema.get("type") == "integer" and not value.strip():
            wrong[key] = _("Must be a whole number.")
        elif "enum" in schema and not value.strip() and value not in schema["enum"]:
            wrong[key] = _("Choose one of the listed values.")  # a plugin's filter left blank
        elif "format" in schema and not value.strip():  # a date
            wrong[key] = _("Give a value or leave the parameter out.")
    if wrong:
        return error_response(422, "validation_error", _("Please correct the highlighted fields."), wrong)
    return None


def _expo_error(error: ExpoError):
    db.rollback()
    return error_response(error.status, error.code, error.message, error.fields)


bp.before_request(_authenticate)
bp.register_error_handler(ExpoError, _expo_error)


def api_blueprint(name: str, import_name: str) -> Blueprint:
    """A plugin's JSON API blueprint, mounted at ``/api/v1/<name>``, named ``<name>_api``.

    It works like the core's API: bearer tokens (the caller is ``api_user()``), errors as the
    JSON error shape, no CSRF (no cookies for a forged request to ride on). Return it from
    ``register_blueprints`` and describe its routes with ``register_api_docs``.
    """
    from expo.web import csrf

    plugin_api = Blueprint(f"{name}_api", import_name, url_prefix=f"{PREFIX}/{name}")
    plugin_api.before_request(_authenticate)
    plugin_api.register_error_handler(ExpoError, _expo_error)
    csrf.exempt(plugin_api)
    return plugin_api



from expo.web.api import clients, engagements, exhibitions, imports, openapi, reports, scenarios, users  # noqa: E402,F401  (routes)
