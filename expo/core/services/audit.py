"""The audit trail: one row per create / update / delete / export, and its wording for the audit page."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l

from expo.core import db
from expo.core.access import Actor, require_actor
from expo.core.models import AuditEvent


def _jsonable(value: Any) -> Any:
    if isinstance(value, (Decimal, date)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def record(action: str, object_type: str, object_id: int | None, user: Actor, **details) -> None:
    db.session().add(
        AuditEvent(
            action=action,
            object_type=object_type,
            object_id=object_id,
            user_id=require_actor(user).id,  # None for SYSTEM: shown as "system"
            details=_jsonable(details),
        )
    )


# --- how the audit page describes an event to a person (labels, not the stored keys) ------------

ACTION_LABELS = {
    "create": _l("creation"), "update": _l("change"), "delete": _l("deletion"), "restore": _l("restoration"),
    "purge": _l("final deletion"), "export": _l("export"), "import": _l("import"), "assign": _l("handover"),
    "close": _l("closing"), "reopen": _l("reopening"), "outcome": _l("outcome chosen"),
    "complete": _l("completion"), "make_default": _l("made the default"), "send": _l("mailing sent"),
    "resend": _l("resending"), "grant": _l("right granted"), "ungrant": _l("right taken back"),
    "activate": _l("activation"), "deactivate": _l("deactivation"), "set_password": _l("password reset"),
    "issue_token": _l("API token issued"), "revoke_token": _l("API token revoked"),
}
OBJECT_LABELS = {
    "client": _l("client"), "contact": _l("contact"), "engagement": _l("engagement"),
    "exhibition": _l("exhibition"), "activity": _l("activity"), "task": _l("task"), "user": _l("user"),
    "scenario": _l("scenario"), "report": _l("report"), "subscription": _l("mailing"),
    "delivery": _l("report delivery"), "import": _l("import"),
}
DETAIL_LABELS = {
    "email": _l("E-mail"), "role": _l("Role"), "permission": _l("Right"), "token_id": _l("API token"),
    "expires_at": _l("Expires"), "name": _l("Name"), "manager_id": _l("Manager"), "old": _l("Before"),
    "new": _l("After"), "result": _l("Result"), "kind": _l("Kind"), "step": _l("Step"),
    "outcome": _l("Outcome"), "amount": _l("Amount"), "comment": _l("Comment"), "count": _l("Count"),
    "rows": _l("Rows"), "reason": _l("Reason"), "changes": _l("Changes"), "fields": _l("Fields"),
    "version": _l("Version"), "client_id": _l("Client"), "exhibition_id": _l("Exhibition"),
    "title": _l("Title"), "period": _l("Period"), "format": _l("Format"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def object_label(object_type: str) -> str:
    return str(OBJECT_LABELS.get(object_type, object_type))


def readable_details(details: dict | None) -> list[tuple[str, str]]:
    """``[(translated key, value as text)]``: a change ``[before, after]`` reads «before → after»,
    a role its label; unknown keys are shown as stored rather than dropped."""
    from expo.core.labels import label
    from expo.core.permissions import all_permissions

    rights = all_permissions() if details and "permission" in details else {}
    rows = []
    for key, value in (details or {}).items():
        if key == "role":
            value = [label("role", v) for v in value] if isinstance(value, list) else label("role", value)
        elif key == "permission":
            value = rights.get(value, value)  # a right no plugin declares any more shows its key
        rows.append((str(DETAIL_LABELS.get(key, key)), _as_text(value)))
    return rows


def _as_text(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        from flask_babel import gettext

        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        if len(value) == 2 and not any(isinstance(v, (list, dict)) for v in value):
            return f"{_as_text(value[0])} → {_as_text(value[1])}"
        return ", ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{DETAIL_LABELS.get(k, k)}: {_as_text(v)}" for k, v in value.items())
    return str(value)
