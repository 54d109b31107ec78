"""Core services: every state change goes through here.

Each service validates, writes, audits and fires the lifecycle hook in one transaction; the
caller (a view, CLI command or job) commits with ``expo.core.db.commit()``.
"""
from __future__ import annotations

from typing import Any, Mapping


def apply_changes(obj: Any, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ on ``obj``; returns ``{field: (old, new)}`` for audit and hooks."""
    changes = {key: (getattr(obj, key), value) for key, value in values.items() if getattr(obj, key) != value}
    for key, (_old, new) in changes.items():
        setattr(obj, key, new)
    return changes
