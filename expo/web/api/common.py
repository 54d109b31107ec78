"""Helpers for API views: the caller, the JSON body, list responses, serialisers."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import g, jsonify, request
from flask_babel import gettext as _

from expo.core.errors import ExpoError, ValidationError
from expo.core.queries import paging_from_args
from expo.core.models import Activity, Client, Contact, Engagement, Exhibition, User


def api_user() -> User:
    return g.api_user


def body() -> dict[str, Any]:
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting: not a body we take
        data = None
    if not isinstance(data, dict):
        raise ExpoError(_("The body must be a JSON object."))
    broken = {str(key).encode("utf-8", "replace").decode() for key, value in data.items()
              if _has_lone_surrogate(key) or _has_lone_surrogate(value)}
    if broken:
        # JSON may spell half a UTF-16 pair ("\ud800"): no database stores that as text.
        raise ValidationError(fields={key: _("Not valid text (a lone UTF-16 surrogate).") for key in broken})
    return data


def refuse_unknown(data: dict, known: tuple[str, ...]) -> None:
    """A body field the call does not take is refused (422), not ignored: a typo must not pass."""
    unknown = {str(key): _("Unknown field.") for key in data if key not in known}
    if unknown:
        raise ValidationError(fields=unknown)


def expected_version(data: dict) -> int | None:
    """The optional ``version`` of a write (reject it if the object changed meanwhile)."""
    version = data.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        raise ValidationError(fields={"version": _("Must be a whole number.")})
    return version


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    return False


def paging(default: int = 50) -> tuple[int, int]:
    """``(limit, offset)`` of an API list (a blank or repeated one was refused on the way in)."""
    return paging_from_args(request.args, default)


def listing(items: list, total: int, limit: int, offset: int, **more):
    """A list's response; ``more`` adds fields (the client list's ``next_cursor``)."""
    return jsonify({"items": items, "total": total, "limit": limit, "offset": offset, **more})


def _value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def fields_of(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _value(getattr(obj, name)) for name in names}


CLIENT_OUT = ("id", "name", "tax_id", "region", "industry", "channel", "category", "website", "email",
              "phone", "notes", "manager_id", "created_at", "updated_at")
CONTACT_OUT = ("id", "client_id", "name", "position", "phone", "mobile", "email", "birthday", "preferences")
EXHIBITION_OUT = ("id", "name", "venue", "starts_on", "ends_on", "sales_start_on", "sales_end_on")
ENGAGEMENT_OUT = ("id", "client_id", "exhibition_id", "scenario_id", "manager_id", "state", "step", "result",
                  "expected_amount", "contract_amount", "opened_at", "closed_at", "version")
ACTIVITY_OUT = ("id", "client_id", "engagement_id", "author_id", "kind", "occurred_at", "text")
USER_OUT = ("id", "email", "name", "role", "active")


def client_json(client: Client) -> dict:
    return fields_of(client, CLIENT_OUT)


def contact_json(contact: Contact) -> dict:
    return fields_of(contact, CONTACT_OUT)


def exhibition_json(exhibition: Exhibition) -> dict:
    return fields_of(exhibition, EXHIBITION_OUT)


def engagement_json(engagement: Engagement) -> dict:
    return fields_of(engagement, ENGAGEMENT_OUT)


def activity_json(activity: Activity) -> dict:
    return fields_of(activity, ACTIVITY_OUT)


def user_json(user: User) -> dict:
    return fields_of(user, USER_OUT)
