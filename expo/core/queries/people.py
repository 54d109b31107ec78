"""Who is who: the people a planner can assign to, everyone active, names for display."""
from __future__ import annotations

from itertools import groupby
from typing import Iterable

from sqlalchemy import select

from expo.core import db
from expo.core.models import ApiToken, AuditEvent, User


def assignable_users() -> list[User]:
    """People a planner can hand clients to (active managers, planners and admins), by name."""
    return db.session().scalars(
        select(User).where(User.active, User.role.in_(("manager", "planner", "admin"))).order_by(User.name)).all()


def active_users() -> list[User]:
    return db.session().scalars(select(User).where(User.active).order_by(User.name)).all()


def all_users() -> list[User]:
    """Everyone, active or not, by role then name (the admin's users page)."""
    return db.session().scalars(select(User).order_by(User.role, User.name)).all()


def api_tokens_by_user() -> dict[int, list[ApiToken]]:
    """``{user id: [their API tokens, oldest first]}`` for the admin's users page (one statement)."""
    tokens = db.session().scalars(select(ApiToken).order_by(ApiToken.user_id, ApiToken.id)).all()
    return {user_id: list(rows) for user_id, rows in groupby(tokens, key=lambda token: token.user_id)}


def names_of(user_ids: Iterable[int | None]) -> dict[int, str]:
    """``{id: name}`` of just these users (one statement; none for an empty set)."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return {}
    return dict(db.session().execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def recent_audit_events(limit: int) -> tuple[list[AuditEvent], dict[int, str]]:
    """The newest audit events with the names of the people in them (rows without one are SYSTEM's)."""
    events = db.session().scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
    return events, names_of(event.user_id for event in events)
