"""/api/v1/clients, their contacts and activities."""
from __future__ import annotations

from flask import request
from sqlalchemy import func, select

from expo.core import access, db, exports
from expo.core.errors import Forbidden, NotFound
from expo.core.models import Activity, Contact
from expo.core.queries.clients import list_clients, list_query
from expo.core.services import activities, clients as service, deletion
from expo.web.api import bp
from expo.web.api.common import (activity_json, api_user, body, client_json, contact_json, listing,
                                 paging)


@bp.get("/clients")
def clients_list():
    query, _columns, _extra = list_query(request.args, api_user())
    page = list_clients(api_user(), query)
    return listing([client_json(c) for c, _extra in page.rows], page.total, query.limit, page.position,
                   next_cursor=page.next_cursor)


@bp.get("/clients/export")
def clients_export():
    """The filtered list as CSV or XLSX (``clients.export``; audited)."""
    from expo.web.clients import export_response  # the page's: audit, commit, then stream

    me = api_user()
    access.require_permission(me, "clients.export")
    fmt = exports.check_format(request.args.get("format", "csv"))
    query, columns, _extra = list_query(request.args, me)
    return export_response(me, query, columns, fmt)


@bp.get("/clients/deleted")
def clients_deleted():
    """Deleted clients an administrator can still restore."""
    if api_user().role != "admin":
        raise Forbidden()
    limit, offset = paging()
    found, total = deletion.deleted_clients(limit, offset)
    items = [{"id": c.id, "name": c.name, "tax_id": c.tax_id, "deleted_at": c.deleted_at.isoformat(),
              "deleted_by": c.deleted_by, "purge_on": c.purge_on.date().isoformat()} for c in found]
    return listing(items, total, limit, offset)


@bp.post("/clients/<int:client_id>/restore")
def clients_restore(client_id: int):
    if not deletion.restore_clients([client_id], api_user()):
        raise NotFound()
    db.commit()
    return client_json(access.get_client(api_user(), client_id))


@bp.post("/clients")
def clients_create():
    client = service.create_client(body(), api_user())
    db.commit()
    return client_json(client), 201


@bp.get("/clients/<int:client_id>")
def clients_get(client_id: int):
    return client_json(access.get_client(api_user(), client_id))


@bp.patch("/clients/<int:client_id>")
def clients_patch(client_id: int):
    client = access.get_client(api_user(), client_id)
    service.update_client(client, body(), api_user())
    db.commit()
    return client_json(client)


@bp.delete("/clients/<int:client_id>")
def clients_delete(client_id: int):
    client = access.get_client(api_user(), client_id)
    deletion.delete_client(client, api_user())
    db.commit()
    return "", 204


@bp.get("/clients/<int:client_id>/contacts")
def contacts_list(client_id: int):
    client = access.get_client(api_user(), client_id)
    items = [contact_json(c) for c in client.contacts]
    return listing(items, len(items), len(items), 0)


@bp.post("/clients/<int:client_id>/contacts")
def contacts_create(client_id: int):
    client = access.get_client(api_user(), client_id)
    contact = service.add_contact(client, body(), api_user())
    db.commit()
    return contact_json(contact), 201


def _contact(contact_id: int) -> Contact:
    contact = db.session().get(Contact, contact_id)
    if contact is None:
        raise NotFound()
    access.get_client(api_user(), contact.client_id)  # 404 unless the caller may see the client
    return contact


@bp.get("/contacts/<int:contact_id>")
def contacts_get(contact_id: int):
    return contact_json(_contact(contact_id))


@bp.patch("/contacts/<int:contact_id>")
def contacts_patch(contact_id: int):
    contact = _contact(contact_id)
    service.update_contact(contact, body(), api_user())
    db.commit()
    return contact_json(contact)


@bp.delete("/contacts/<int:contact_id>")
def contacts_delete(contact_id: int):
    service.delete_contact(_contact(contact_id), api_user())
    db.commit()
    return "", 204


@bp.get("/clients/<int:client_id>/activities")
def activities_list(client_id: int):
    client = access.get_client(api_user(), client_id)
    limit, offset = paging()
    query = access.scope_activities(select(Activity), api_user()).where(Activity.client_id == client.id)
    total = db.session().scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session().scalars(query.order_by(Activity.occurred_at.desc(), Activity.id.desc())
                                .offset(offset).limit(limit))
    return listing([activity_json(a) for a in rows], total, limit, offset)


@bp.post("/clients/<int:client_id>/activities")
def activities_create(client_id: int):
    client = access.get_client(api_user(), client_id)
    activity = activities.log_activity(client, body(), api_user())
    db.commit()
    return activity_json(activity), 201
