"""Who is who: the people a planner can assign to, everyone active, names for display."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Iterable
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.engine import Row
from sqlalchemy.orm import selectinload

from expo.core import db
from expo.core.models import ApiToken, AuditEvent, Client, Engagement, Exhibition, LoginSession, Scenario, User


# The people of a drop-down: plain rows, not objects (a page lists them all, for a choice).
_PERSON = (User.id, User.name, User.email, User.role)


def assignable_users() -> list[Row]:
    """People a planner can hand clients to (active managers, planners and admins), by name: rows
    of ``id, name, email, role``."""
    return db.session().execute(
        select(*_PERSON).where(User.active, User.role.in_(("manager", "planner", "admin"))).order_by(User.name)).all()


def active_users() -> list[Row]:
    """Everyone active, by name: rows of ``id, name, email, role``."""
    return db.session().execute(select(*_PERSON).where(User.active).order_by(User.name)).all()


def all_users() -> list[User]:
    """Everyone, active or not, by role then name (the admin's users page)."""
    # their rights with them (one more statement, not one per user: the page lists them)
    return db.session().scalars(select(User).options(selectinload(User.grants)).order_by(User.role, User.name)).all()


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


def last_logins() -> dict[int, datetime]:
    """``{user id: when their newest login still on record started}`` (one statement). Logging out
    deletes the row, so this is "known" only for people with a live or recent session."""
    return dict(db.session().execute(
        select(LoginSession.user_id, func.max(LoginSession.created_at)).group_by(LoginSession.user_id)).all())


@dataclass(frozen=True)
class AuditFilter:
    """The audit page's filter: who, what, and a period in the firm's days (``EXPO_TIMEZONE``)."""
    user_id: int | None = None
    action: str | None = None
    day_from: date | None = None
    day_to: date | None = None


def _firm_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(current_app.config["TIMEZONE"]))


def audit_page(chosen: AuditFilter, limit: int, offset: int) -> tuple[list[AuditEvent], bool]:
    """One page of the audit trail, newest first, and whether there is a next page (one statement:
    a row past the page says so, no count over the whole trail)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if chosen.user_id is not None:
        query = query.where(AuditEvent.user_id == chosen.user_id)
    if chosen.action:
        query = query.where(AuditEvent.action == chosen.action)
    if chosen.day_from:
        query = query.where(AuditEvent.at >= _firm_midnight(chosen.day_from))
    if chosen.day_to:
        query = query.where(AuditEvent.at < _firm_midnight(chosen.day_to + timedelta(days=1)))
    rows = db.session().scalars(query.limit(limit + 1).offset(offset)).all()
    return list(rows[:limit]), len(rows) > limit


# object type → (model, its display column, whether soft-deleted rows count as gone)
_LINKABLE = {"client": (Client, Client.name), "exhibition": (Exhibition, Exhibition.name),
             "user": (User, User.name), "scenario": (Scenario, Scenario.name), "engagement": (Engagement, None)}


def audited_objects(events: Iterable[AuditEvent]) -> dict[tuple[str, int], str]:
    """``{(object type, id): name}`` of the events' objects that still exist (one statement per
    kind of object on the page, at most five): the page links those and names them."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.object_type in _LINKABLE and event.object_id is not None:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model, name = _LINKABLE[kind]
        query = select(model.id, name if name is not None else model.id).where(model.id.in_(ids))
        if model is Client:
            query = query.where(Client.deleted_at.is_(None))
        found.update({(kind, row_id): str(title) for row_id, title in db.session().execute(query).all()})
    return found
