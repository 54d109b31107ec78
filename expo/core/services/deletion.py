"""Deleting clients: soft first, purged for good later.

Deleting (one client, or a filtered selection) only marks the clients: from then on they are hidden
everywhere (``expo.core.access``), but nothing is lost, and an administrator can restore them for
``CLIENT_PURGE_DAYS`` days (default 30). The scheduled purge then deletes them with everything
hanging off them, and only then fires ``client_deleted``, so plugins drop their rows once, for good.
Every step needs its right and is audited. This module is also the one place that reads deleted
clients (the administrators' list).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Iterable

from flask import current_app
from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from expo.core import access, clock, db
from expo.core.access import Actor
from expo.core.errors import Forbidden
from expo.core.models import SYSTEM, Client, User
from expo.core.plugins import call
from expo.core.services import audit, engagement_counts

PURGE_BATCH = 500


def purge_days() -> int:
    return current_app.config["CLIENT_PURGE_DAYS"]


def restorable(deleted_at: datetime) -> bool:
    """Whether a client deleted at ``deleted_at`` is still in the bin (restorable) now; also an SQL
    condition when given the column."""
    return deleted_at >= clock.now() - timedelta(days=purge_days())


def _require_delete(user: Actor) -> None:
    access.require_write(user)
    access.require_permission(user, "clients.delete")


def delete_client(client: Client, user: Actor) -> None:
    """Delete one client (soft); needs ``clients.delete``."""
    _require_delete(user)
    now = clock.now()
    if not _mark(-1, Client.id == client.id, Client.deleted_at.is_(None), deleted_at=now, deleted_by_id=user.id):
        return  # deleted a moment ago by someone else
    set_committed_value(client, "deleted_at", now)
    set_committed_value(client, "deleted_by_id", user.id)
    audit.record("delete", "client", client.id, user, name=client.name, tax_id=client.tax_id)


def delete_clients(client_ids: Select, user: Actor, filters: dict[str, Any]) -> int:
    """Delete (soft) every client ``client_ids`` selects — a filtered list, already scoped to what
    ``user`` sees; needs ``clients.delete``. Audited once with the filter and the count."""
    _require_delete(user)
    now = clock.now()
    count = len(_mark(-1, Client.id.in_(client_ids), Client.deleted_at.is_(None), deleted_at=now,
                      deleted_by_id=user.id))
    audit.record("delete", "client", None, user, count=count, filters=filters, deleted_at=now.isoformat())
    return count


def restore_clients(client_ids: Iterable[int], user: Actor) -> int:
    """Bring deleted clients back (administrators only), audited with their ids. Only within the
    ``CLIENT_PURGE_DAYS`` window the bin promises: a client past it waits for the purge even when
    the purge has not run yet, so what happens does not depend on when the job last ran."""
    access.require_actor(user)
    if not (user.is_system or user.role == "admin"):
        raise Forbidden()
    ids = sorted(set(client_ids))
    if not ids:
        return 0
    count = len(_mark(+1, Client.id.in_(ids), restorable(Client.deleted_at), deleted_at=None, deleted_by_id=None))
    audit.record("restore", "client", ids[0] if len(ids) == 1 else None, user, ids=ids, count=count)
    return count


def _mark(sign: int, *where, **values) -> list[int]:
    """Set ``values`` on the clients ``where`` picks; returns the ids it changed and moves their
    engagements out of (``sign`` −1) or back into (+1) the exhibitions' counts. The UPDATE returns the ids, so of
    two requests deleting the same client the second changes and counts nothing."""
    changed = list(db.session().scalars(update(Client).where(*where).values(**values).returning(Client.id)
                                        .execution_options(synchronize_session=False)))
    engagement_counts.clients_moved(changed, sign)
    return changed


def purge_deleted_clients(user: Actor = SYSTEM, now: datetime | None = None) -> int:
    """Delete for good the clients deleted more than ``CLIENT_PURGE_DAYS`` ago; fires
    ``client_deleted`` for each, before its rows go. Idempotent: a second run finds nothing."""
    access.require_actor(user)
    cutoff = (now or clock.now()) - timedelta(days=purge_days())
    session = db.session()
    purged = 0
    while True:
        batch = session.execute(select(Client.id, Client.name, Client.tax_id)
                                .where(Client.deleted_at < cutoff).order_by(Client.id).limit(PURGE_BATCH)).all()
        if not batch:
            return purged
        for client_id, name, tax_id in batch:
            call("client_deleted", client_id=client_id, name=name, user=user)
            audit.record("purge", "client", client_id, user, name=name, tax_id=tax_id)
        # Rows hanging off a client go with it (ON DELETE CASCADE / SET NULL on every reference).
        session.execute(delete(Client).where(Client.id.in_([row.id for row in batch])))
        session.flush()
        purged += len(batch)


def run_purge() -> dict:
    """The scheduled job (daily)."""
    return {"purged": purge_deleted_clients(SYSTEM)}


@dataclass
class DeletedClient:
    id: int
    name: str
    tax_id: str | None
    deleted_at: datetime
    deleted_by: str | None
    purge_on: datetime


def deleted_clients(limit: int, offset: int = 0) -> tuple[list[DeletedClient], int]:
    """The deleted clients still restorable, newest deletion first (two statements)."""
    session = db.session()
    in_bin = restorable(Client.deleted_at)
    total = session.scalar(select(func.count(Client.id)).where(in_bin)) or 0
    rows = session.execute(
        select(Client.id, Client.name, Client.tax_id, Client.deleted_at, User.name)
        .outerjoin(User, User.id == Client.deleted_by_id).where(in_bin)
        .order_by(Client.deleted_at.desc(), Client.id).offset(offset).limit(limit)).all()
    days = timedelta(days=purge_days())
    return [DeletedClient(r[0], r[1], r[2], r[3], r[4], r[3] + days) for r in rows], total
