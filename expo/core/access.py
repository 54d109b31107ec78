"""Who may see and change what.

A manager sees and edits only the clients and engagements assigned to them; planners and admins
see and edit all; viewers read all and change nothing. An object the user may not see is
reported as *not found*, so its existence does not leak.
"""
from __future__ import annotations

from sqlalchemy import Select

from expo.core import db
from expo.core.errors import Forbidden, NotFound
from expo.core.models import Client, Engagement, User


def scope_clients(query: Select, user: User) -> Select:
    return query if user.sees_all_clients else query.where(Client.manager_id == user.id)


def scope_engagements(query: Select, user: User) -> Select:
    return query if user.sees_all_clients else query.where(Engagement.manager_id == user.id)


def can_see_client(user: User, client: Client) -> bool:
    return user.sees_all_clients or client.manager_id == user.id


def can_see_engagement(user: User, engagement: Engagement) -> bool:
    return user.sees_all_clients or engagement.manager_id == user.id


def get_client(user: User, client_id: int) -> Client:
    client = db.session().get(Client, client_id)
    if client is None or not can_see_client(user, client):
        raise NotFound()
    return client


def get_engagement(user: User, engagement_id: int) -> Engagement:
    engagement = db.session().get(Engagement, engagement_id)
    if engagement is None or not can_see_engagement(user, engagement):
        raise NotFound()
    return engagement


def require_write(user: User | None) -> None:
    if user is not None and not user.can_write:
        raise Forbidden()


def require_assign(user: User | None) -> None:
    if user is not None and not user.can_assign:
        raise Forbidden()


def require_permission(user: User | None, permission: str) -> None:
    if user is not None and not user.can(permission):
        raise Forbidden()
