"""JSON API under /api/v1, authenticated with ``Authorization: Bearer <token>``."""
from __future__ import annotations

from flask import Blueprint, g, request
from flask_babel import gettext as _

from expo.core import db
from expo.core.errors import ExpoError
from expo.core.services.users import user_for_token
from expo.web.api.errors import error_response

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        return error_response(401, "unauthorized", _("A valid bearer token is required."))
    g.api_user = user
    return None


@bp.errorhandler(ExpoError)
def _expo_error(error: ExpoError):
    db.rollback()
    return error_response(error.status, error.code, error.message, error.fields)




from expo.web.api import clients, engagements, exhibitions, openapi, reports, scenarios, users  # noqa: E402,F401  (routes)
