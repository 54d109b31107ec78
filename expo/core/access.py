"""Who may see and change what.

A manager sees and edits only the clients and engagements assigned to them; planners and admins
see and edit all; viewers read all and change nothing. An object the user may not see is
reported as *not found*, so its existence does not leak.

Deleted clients (``Client.deleted_at`` set: soft deletion, restorable for a while) are hidden
from everyone, with everything hanging off them. That rule lives here and only here: every read
of clients or engagements goes through ``scope_clients`` / ``scope_engagements`` /
``get_client`` / ``get_engagement``, and reads keyed by a client id column (tasks, sales, the
step log) add ``not_deleted(column)``. The admins' list of deleted clients is the one exception
(``expo.core.services.deletion``).

Every check takes an explicit actor: a :class:`User`, or :data:`SYSTEM` for jobs and commands.
``None`` is refused outright, so a forgotten argument can never mean "all rights".
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, Select, exists
from sqlalchemy.orm import aliased

from expo.core import db
from expo.core.errors import Forbidden, NotFound
from expo.core.models import Activity, Client, Engagement, EngagementCount, SystemActor, User

Actor = User | SystemActor


_deleted = aliased(Client, name="deleted_client")


def not_deleted(client_id: ColumnElement) -> ColumnElement:
    """True for rows whose client (``client_id``, a column of the row) is not deleted; rows without
    a client pass. An anti-join on an alias, so it never correlates with a ``Client`` the query
    already selects from."""
    return ~exists().where(_deleted.id == client_id, _deleted.deleted_at.is_not(None))


def scope_clients(query: Select, user: User) -> Select:
    query = query.where(Client.deleted_at.is_(None))
    return query if user.sees_all_clients else query.where(Client.manager_id == user.id)


def scope_engagements(query: Select, user: User) -> Select:
    query = query.where(not_deleted(Engagement.client_id))
    return query if user.sees_all_clients else query.where(Engagement.manager_id == user.id)


def scope_engagement_counts(query: Select, user: User) -> Select:
    """The counts table's rows of the engagements the user may see (decision 24): a manager's own."""
    return query if user.sees_all_clients else query.where(EngagementCount.manager_id == user.id)


def scope_activities(query: Select, user: User) -> Select:
    """Activities of a client the user sees: one logged on an engagement is visible with that
    engagement only (a client's manager does not read the notes of an engagement reassigned to
    someone else, just as the engagement itself answers 404). See docs/decisions/0017."""
    if user.sees_all_clients:
        return query
    return query.where(activity_visible_to(user.id))


def activity_visible_to(manager_id) -> ColumnElement:
    """The condition ``scope_activities`` puts on a manager's activities; ``manager_id`` is an id
    or a bound parameter (a statement built once for every manager)."""
    return Activity.engagement_id.is_(None) | own_engagement(Activity.engagement_id, manager_id)


def own_engagement(engagement_id, manager_id) -> ColumnElement:
    """``engagement_id`` names one of the engagements of ``manager_id`` (an id or a bound
    parameter): a correlated look-up by primary key. (``IN (SELECT id … WHERE manager_id = …)``
    made PostgreSQL hash all of a manager's engagements, 250 000 for the busiest, for every
    statement that asked.)"""
    mine = aliased(Engagement)
    return exists().where(mine.id == engagement_id, mine.manager_id == manager_id)


def can_see_client(user: User, client: Client) -> bool:
    return client.deleted_at is None and (user.sees_all_clients or client.manager_id == user.id)


def can_see_engagement(user: User, engagement: Engagement) -> bool:
    return engagement.client.deleted_at is None and (user.sees_all_clients or engagement.manager_id == user.id)


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


def require_actor(user: Actor) -> Actor:
    """``user`` itself; a programming error (not a 403) when no actor was passed."""
    if user is None:
        raise TypeError("services need an actor: the acting User, or SYSTEM for jobs and commands")
    return user


def require_write(user: Actor) -> None:
    if not require_actor(user).can_write:
        raise Forbidden()


def require_assign(user: Actor) -> None:
    if not require_actor(user).can_assign:
        raise Forbidden()


def require_permission(user: Actor, permission: str) -> None:
    if not require_actor(user).can(permission):
        raise Forbidden()
