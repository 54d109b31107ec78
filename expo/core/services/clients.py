"""Clients and their contacts."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import access, db, validation as v
from expo.core.access import Actor
from expo.core.errors import Conflict, Forbidden, ValidationError
from expo.core.models import CATEGORIES, PICK_LIST_FIELDS, Client, Contact, Engagement, PickListItem, User
from expo.core.names import name_key
from expo.core.plugins import call
from expo.core.services import apply_changes, audit, refusing_duplicates

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


TAX_ID_TAKEN = _l("Another client has this tax id.")


def tax_id_taken_message(deleted_at):
    """Why a tax id cannot be used (its holder deleted at ``deleted_at``, or None: a live client).
    A deleted client keeps its tax id until it is purged, so that restoring it never collides; the
    message says whether it can still be restored (see ADR 0010)."""
    from expo.core.services.deletion import restorable

    if deleted_at is None:
        return TAX_ID_TAKEN
    if restorable(deleted_at):
        return _l("A deleted client has this tax id; an administrator can restore it.")
    return _l("A deleted client has this tax id until the nightly purge deletes it for good.")


def _check_unique_tax_id(tax_id: str | None, client_id: int | None = None) -> None:
    """A friendly early 409; the unique index (see ``_saving``) decides races."""
    if not tax_id:
        return
    query = select(Client.deleted_at).where(Client.tax_id == tax_id)
    if client_id is not None:
        query = query.where(Client.id != client_id)
    holder = db.session().execute(query.limit(1)).first()
    if holder is not None:
        message = tax_id_taken_message(holder.deleted_at)
        raise Conflict(message, fields={"tax_id": str(message)})


def _saving():
    return refusing_duplicates(TAX_ID_TAKEN, uq_clients_tax_id=("tax_id", TAX_ID_TAKEN))


def new_client_values(values: dict, user: Actor) -> dict:
    """The columns of a new client from cleaned values, owned as the rules say.

    A manager's new client is theirs; only planners/admins pick another manager.
    """
    if not user.can_assign:
        if values.get("manager_id") not in (None, user.id):
            raise ValidationError(fields={"manager_id": str(_l("Only a planner can assign clients."))})
        values["manager_id"] = user.id
    values["category"] = values.get("category") or "potential"
    return dict(values, name_search=search_key(values["name"]), name_key=name_key(values["name"]))


def announce_created(client: Client, user: Actor, audit_it: bool = True) -> None:
    """Audit a flushed new client and fire its hooks (an import audits once for the whole file)."""
    if audit_it:
        audit.record("create", "client", client.id, user, name=client.name)
    call("client_created", client=client, user=user)
    if client.manager_id is not None:
        call("client_assigned", client=client, old_manager_id=None,
             new_manager_id=client.manager_id, user=user)


def create_client(data: Mapping[str, Any], user: Actor) -> Client:
    """Create a client, validated, audited, hooks fired."""
    access.require_write(user)
    values = v.clean(CLIENT_FIELDS, data)
    client = Client(**new_client_values(values, user))
    _check_manager(client.manager_id)
    _check_unique_tax_id(values.get("tax_id"))
    session = db.session()
    session.add(client)
    with _saving():
        session.flush()
    announce_created(client, user)
    return client


def update_client(client: Client, data: Mapping[str, Any], user: Actor) -> dict:
    """Change a client's fields; returns ``{field: (old, new)}`` of what changed."""
    access.require_write(user)
    values = v.clean(CLIENT_FIELDS, data, partial=True)
    new_manager = values.pop("manager_id", client.manager_id)
    if new_manager != client.manager_id:
        access.require_assign(user)
    _check_unique_tax_id(values.get("tax_id"), client.id)
    changes = change_fields(client, values)
    if changes:
        with _saving():
            db.session().flush()
        announce_updated(client, changes, user)
    if new_manager != client.manager_id:
        assign_manager(client, new_manager, user)
    return changes


def change_fields(client: Client, values: Mapping[str, Any]) -> dict:
    """Set cleaned ``values`` on ``client`` (keeping the derived name columns in step); the changes."""
    changes = apply_changes(client, values)
    if "name" in changes:
        client.name_search = search_key(client.name)
        client.name_key = name_key(client.name)
    return changes


def announce_updated(client: Client, changes: dict, user: Actor) -> None:
    audit.record("update", "client", client.id, user, changes=changes)
    call("client_updated", client=client, changes=changes, user=user)


def reassign(obj: Client | Engagement, manager_id: int | None, user: Actor) -> tuple[bool, int | None]:
    """Hand a client or an engagement to ``manager_id`` (planners and admins only), audited.

    Returns ``(changed, previous manager id)``; the caller fires its hook only when changed.
    The one place that checks who may assign and to whom.
    """
    access.require_assign(user)
    _check_manager(manager_id)
    old = obj.manager_id
    if old == manager_id:
        return False, old
    obj.manager_id = manager_id
    db.session().flush()
    audit.record("assign", "client" if isinstance(obj, Client) else "engagement", obj.id, user,
                 manager_id=[old, manager_id])
    return True, old


def assign_manager(client: Client, manager_id: int | None, user: Actor) -> None:
    """Hand a client to a client-manager (planners and admins only)."""
    changed, old = reassign(client, manager_id, user)
    if changed:
        call("client_assigned", client=client, old_manager_id=old, new_manager_id=manager_id, user=user)


def add_contact(client: Client, data: Mapping[str, Any], user: Actor) -> Contact:
    access.require_write(user)
    values = v.clean(CONTACT_FIELDS, data)
    contact = Contact(client_id=client.id, **values)
    session = db.session()
    session.add(contact)
    session.flush()
    audit.record("create", "contact", contact.id, user, client_id=client.id, name=contact.name)
    return contact


def update_contact(contact: Contact, data: Mapping[str, Any], user: Actor) -> dict:
    access.require_write(user)
    values = v.clean(CONTACT_FIELDS, data, partial=True)
    changes = apply_changes(contact, values)
    if changes:
        db.session().flush()
        audit.record("update", "contact", contact.id, user, changes=changes)
    return changes


def delete_contact(contact: Contact, user: Actor) -> None:
    access.require_write(user)
    audit.record("delete", "contact", contact.id, user, client_id=contact.client_id, name=contact.name)
    session = db.session()
    session.delete(contact)
    session.flush()


# --- The firm's pick-lists (region, industry, channel) -------------------------------------------
# Decision: only the client form keeps to the lists. Imports and the API accept any value, so that
# a firm's old spreadsheets and integrations load without a list being set up first; the lists
# grow from what is there (migration 0009 seeded them from existing values).

NOT_ON_LIST = _l("Choose a value from the list (an administrator edits the lists).")
PICK_LIST_VALUE = v.text(100, required=True)  # the client columns are 100 characters wide


def check_on_pick_lists(data: Mapping[str, Any], client: Client | None, lists: Mapping[str, list[str]]) -> None:
    """Refuse a form's region, industry or channel that is not on the field's list, when the field
    has one; blank is fine, and so is the value the client already holds (the form offers it)."""
    errors = {}
    for key in PICK_LIST_FIELDS:
        value = str(data.get(key) or "").strip()
        allowed = lists.get(key) or []
        if not value or not allowed or value in allowed:
            continue
        if client is not None and value == getattr(client, key):
            continue
        errors[key] = str(NOT_ON_LIST)
    if errors:
        raise ValidationError(fields=errors)


def _pick_list_field(value: Any) -> str:
    if value not in PICK_LIST_FIELDS:
        raise ValidationError(fields={"field": str(_l("Must be one of: %(options)s.",
                                                      options=", ".join(PICK_LIST_FIELDS)))})
    return value


def _admin_only(user: Actor) -> None:
    if getattr(user, "role", None) != "admin":
        raise Forbidden()


def add_pick_list_item(data: Mapping[str, Any], user: Actor) -> PickListItem:
    """Append a value to a field's list (admins only), audited; a value already there is refused."""
    _admin_only(user)
    key = _pick_list_field(data.get("field"))
    value = v.clean({"value": PICK_LIST_VALUE}, {"value": data.get("value")})["value"]
    session = db.session()
    if session.scalar(select(PickListItem.id).where(PickListItem.field == key, PickListItem.value == value)):
        raise ValidationError(fields={"value": str(_l("This value is on the list already."))})
    last = session.scalar(select(func.max(PickListItem.position)).where(PickListItem.field == key))
    item = PickListItem(field=key, value=value, position=(last or 0) + 1)
    session.add(item)
    session.flush()
    audit.record("create", "pick_list_item", item.id, user, field=key, value=value)
    return item


def remove_pick_list_item(item: PickListItem, user: Actor) -> None:
    """Take a value off its list (admins only), audited; clients holding it keep it."""
    _admin_only(user)
    audit.record("delete", "pick_list_item", item.id, user, field=item.field, value=item.value)
    session = db.session()
    session.delete(item)
    session.flush()


def move_pick_list_item(item: PickListItem, direction: Any, user: Actor) -> None:
    """Swap a value with its neighbour above (``up``) or below (``down``) on its list, audited."""
    _admin_only(user)
    if direction not in ("up", "down"):
        raise ValidationError(fields={"direction": str(_l("Must be one of: %(options)s.", options="up, down"))})
    session = db.session()
    siblings = list(session.scalars(select(PickListItem).where(PickListItem.field == item.field)
                                    .order_by(PickListItem.position, PickListItem.id)))
    index = siblings.index(item)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return  # already first (or last): nothing to move
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings, start=1):  # renumbered, so equal positions cannot stick
        sibling.position = position
    session.flush()
    audit.record("move", "pick_list_item", item.id, user, field=item.field, value=item.value, position=other + 1)
