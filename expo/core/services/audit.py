"""The audit trail: one row per create / update / delete / export."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

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
