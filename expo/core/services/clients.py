"""Clients and their contacts."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from expo.core import access, db, validation as v
from expo.core.errors import ValidationError
from expo.core.models import CATEGORIES, Client, Contact, User
from expo.core.plugins import call
from expo.core.services import apply_changes, audit

CLIENT_FIELDS = {
    "name": v.text(200, required=True),
    "tax_id": v.tax_id(),
    "region": v.text(100),
    "industry": v.text(100),
    "channel": v.text(100),
    "category": v.choice(CATEGORIES, nullable=False),
    "website": v.url(),
    "email": v.email(),
    "phone": v.text(50),
    "notes": v.text(5000, multiline=True),
    "manager_id": v.identifier(),
}

CONTACT_FIELDS = {
    "name": v.text(200, required=True),
    "position": v.text(200),
    "phone": v.text(50),
    "mobile": v.text(50),
    "email": v.email(),
    "birthday": v.iso_date(),
    "preferences": v.text(2000, multiline=True),
}


def search_key(name: str) -> str:
    # casefold in Python: SQLite's lower() leaves Cyrillic alone.
    return name.casefold()


def _check_manager(manager_id: int | None) -> None:
    if manager_id is None:
        return
    manager = db.session().get(User, manager_id)
    if manager is None or not manager.active or manager.role not in ("manager", "planner", "admin"):
        raise ValidationError(fields={"manager_id": str(_l("No such manager."))})


def _check_unique_tax_id(tax_id: str | None, client_id: int | None = None) -> None:
    if not tax_id:
        return
    query = select(Client.id).where(Client.tax_id == tax_id)
    if client_id is not None:
        query = query.where(Client.id != client_id)
    if db.session().scalar(query.limit(1)) is not None:
        raise ValidationError(fields={"tax_id": str(_l("Another client has this tax id."))})


def create_client(data: Mapping[str, Any], user: User | None) -> Client:
    """Create a client. A manager's new client is theirs; only planners/admins pick another manager."""
    access.require_write(user)
    values = v.clean(CLIENT_FIELDS, data)
    if user is not None and not user.can_assign:
        if values.get("manager_id") not in (None, user.id):
            raise ValidationError(fields={"manager_id": str(_l("Only a planner can assign clients."))})
        values["manager_id"] = user.id
    _check_manager(values.get("manager_id"))
    _check_unique_tax_id(values.get("tax_id"))
    values["category"] = values.get("category") or "potential"
    client = Client(**values, name_search=search_key(values["name"]))
    session = db.session()
    session.add(client)
    session.flush()
    audit.record("create", "client", client.id, user, name=client.name)
    call("client_created", client=client, user=user)
    if client.manager_id is not None:
        call("client_assigned", client=client, old_manager_id=None,
             new_manager_id=client.manager_id, user=user)
    return client


def update_client(client: Client, data: Mapping[str, Any], user: User | None) -> dict:
    """Change a client's fields; returns ``{field: (old, new)}`` of what changed."""
    access.require_write(user)
    values = v.clean(CLIENT_FIELDS, data, partial=True)
    new_manager = values.pop("manager_id", client.manager_id)
    if new_manager != client.manager_id:
        access.require_assign(user)
    _check_unique_tax_id(values.get("tax_id"), client.id)
    changes = apply_changes(client, values)
    if "name" in changes:
        client.name_search = search_key(client.name)
    if changes:
        db.session().flush()
        audit.record("update", "client", client.id, user, changes=changes)
        call("client_updated", client=client, changes=changes, user=user)
    if new_manager != client.manager_id:
        assign_manager(client, new_manager, user)
    return changes


def assign_manager(client: Client, manager_id: int | None, user: User | None) -> None:
    """Hand a client to a client-manager (planners and admins only)."""
    access.require_assign(user)
    _check_manager(manager_id)
    old = client.manager_id
    if old == manager_id:
        return
    client.manager_id = manager_id
    db.session().flush()
    audit.record("assign", "client", client.id, user, manager_id=[old, manager_id])
    call("client_assigned", client=client, old_manager_id=old, new_manager_id=manager_id, user=user)


def delete_client(client: Client, user: User | None) -> None:
    """Delete a client with its contacts, engagements and history; needs ``clients.delete``."""
    access.require_write(user)
    access.require_permission(user, "clients.delete")
    client_id, name = client.id, client.name
    call("client_deleted", client_id=client_id, name=name, user=user)
    audit.record("delete", "client", client_id, user, name=name, tax_id=client.tax_id)
    session = db.session()
    session.delete(client)
    session.flush()


def add_contact(client: Client, data: Mapping[str, Any], user: User | None) -> Contact:
    access.require_write(user)
    values = v.clean(CONTACT_FIELDS, data)
    contact = Contact(client_id=client.id, **values)
    session = db.session()
    session.add(contact)
    session.flush()
    audit.record("create", "contact", contact.id, user, client_id=client.id, name=contact.name)
    return contact


def update_contact(contact: Contact, data: Mapping[str, Any], user: User | None) -> dict:
    access.require_write(user)
    values = v.clean(CONTACT_FIELDS, data, partial=True)
    changes = apply_changes(contact, values)
    if changes:
        db.session().flush()
        audit.record("update", "contact", contact.id, user, changes=changes)
    return changes


def delete_contact(contact: Contact, user: User | None) -> None:
    access.require_write(user)
    audit.record("delete", "contact", contact.id, user, client_id=contact.client_id, name=contact.name)
    session = db.session()
    session.delete(contact)
    session.flush()
