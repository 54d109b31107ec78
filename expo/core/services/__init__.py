"""Core services: every state change goes through here.

Each service validates, writes, audits and fires the lifecycle hook in one transaction; the
caller (a view, CLI command or job) commits with ``expo.core.db.commit()``.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator, Mapping

from sqlalchemy.exc import IntegrityError


def apply_changes(obj: Any, values: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ on ``obj``; returns ``{field: (old, new)}`` for audit and hooks."""
    changes = {key: (getattr(obj, key), value) for key, value in values.items() if getattr(obj, key) != value}
    for key, (_old, new) in changes.items():
        setattr(obj, key, new)
    return changes


@contextmanager
def refusing_duplicates(message, **fields: tuple[str, Any]) -> Iterator[None]:
    """Turn a clash with a unique index into a 409 naming the field: ``index_name=(field, message)``.

    Services check for duplicates first to give a friendly message, but only the database's unique
    index holds under concurrency: two requests can both pass the check and race to insert.
    """
    from expo.core import db
    from expo.core.errors import Conflict

    try:
        yield
    except IntegrityError as problem:
        clash = db.unique_clash(problem)
        if clash not in fields:
            raise
        field, field_message = fields[clash]
        raise Conflict(message, fields={field: str(field_message)}) from None
