"""Client base pages: list with search and filters, card, forms, contacts, activities, export."""
from __future__ import annotations

from flask import Response, render_template, request, send_file, stream_with_context, url_for

from expo.core import access, db, exports
from expo.core.errors import NotFound, ValidationError
from expo.core.models import ACTIVITY_KINDS, CATEGORIES, Contact
from expo.core.labels import label
from expo.core.plugins import collect
from expo.core.queries.card import card_details, contacts_of
from expo.core.queries.clients import (FILTERS, ClientListQuery, count_selected, filter_options, list_clients,
                                       list_query, pick_lists, selected_ids)
from expo.core.services import activities, clients as client_service, deletion
from expo.core.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE, csv_chunks, xlsx_file
from expo.core.queries.people import assignable_users
from expo.web.pages import (form_data, inline_form, page_or_fragment, protected_blueprint,
                            redirect_after_post, safe_local_url, save_form, user)

bp = protected_blueprint("clients", __name__, url_prefix="/clients")
HISTORY_LIMIT = 100  # the newest activities on the card; the API pages through all


@bp.get("/")
def index():
    me = user()
    try:
        query, columns, extra = list_query(request.args, me)
        page = list_clients(me, query, columns, with_work=True)
        error = None
    except ValidationError as problem:
        columns = collect("list_columns", list_name="clients", user=me)
        extra = collect("list_filters", list_name="clients", user=me)
        query, page, error = ClientListQuery(), None, problem
    context = dict(query=query, page=page, error=error, columns=columns, extra_filters=extra,
                   options=filter_options(me), managers=assignable_users() if me.sees_all_clients else [],
                   categories=CATEGORIES, filters=FILTERS)
    return page_or_fragment("clients/index.html", "_partials/client_results.html", **context)


@bp.post("/export")
def export():
    """CSV or XLSX of the filtered list; needs ``clients.export`` and is audited."""
    me = user()
    access.require_permission(me, "clients.export")
    query, columns, _extra = list_query(request.form, me)
    return export_response(me, query, columns, exports.check_format(request.form.get("format", "csv")))


def export_response(me, query, columns, fmt: str):
    """Audit and commit first, then stream the file (the page's and the API's export)."""
    exports.start_export(me, query, fmt)
    db.commit()
    if fmt == "xlsx":
        return send_file(xlsx_file(exports.rows(me, query, columns), "clients"), mimetype=XLSX_MIMETYPE,
                         as_attachment=True, download_name="clients.xlsx")
    chunks = csv_chunks(exports.rows(me, query, columns), exports.csv_delimiter())
    return Response(stream_with_context(chunks), mimetype=CSV_MIMETYPE,
                    headers={"Content-Disposition": "attachment; filename=clients.csv"})


@bp.route("/delete", methods=["GET", "POST"])
def bulk_delete():
    """Delete (soft) every client of the filtered list: a confirmation page, then the POST."""
    me = user()
    access.require_permission(me, "clients.delete")
    args = request.form if request.method == "POST" else request.args
    query, _columns, _extra = list_query(args, me)
    count = count_selected(me, query)
    if request.method == "POST":
        deletion.delete_clients(selected_ids(me, query), me, {"q": query.q, **query.filters})
        db.commit()
        return redirect_after_post(url_for("clients.index"))
    return render_template("clients/delete.html", query=query, count=count,
                           purge_days=deletion.purge_days())


@bp.get("/<int:client_id>")
def card(client_id: int):
    me = user()
    client = access.get_client(me, client_id)
    details = card_details(me, client, HISTORY_LIMIT)
    return render_template(
        "clients/card.html", client=client, engagements=details.engagements, history=details.activities,
        contacts=details.contacts, exhibitions=details.exhibitions_on_offer, activity_kinds=ACTIVITY_KINDS,
        panels=collect("client_card_panels", client=client, user=me),
    )


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/<int:client_id>/edit", methods=["GET", "POST"], endpoint="edit")
def form(client_id: int | None = None):
    """Create a client, or edit one the user may see; errors show inline (HTMX swaps the form)."""
    me = user()
    client = access.get_client(me, client_id) if client_id is not None else None
    access.require_write(me)
    values = {key: getattr(client, key) for key in client_service.CLIENT_FIELDS} if client else {}
    errors = {}
    lists = pick_lists()
    if request.method == "POST":
        # The page form keeps to the firm's pick-lists; imports and the API do not (see the service).
        def create(values):
            client_service.check_on_pick_lists(values, None, lists)
            return client_service.create_client(values, me)

        def update(obj, values):
            client_service.check_on_pick_lists(values, obj, lists)
            return client_service.update_client(obj, values, me)

        # A manager's form has no manager field: the service would refuse one.
        saved, values, errors = save_form(client_service.CLIENT_FIELDS, client, create=create, update=update,
                                          ignore=() if me.can_assign else ("manager_id",))
        if saved is not None:
            return redirect_after_post(url_for("clients.card", client_id=saved.id))
    return page_or_fragment(
        "clients/form.html", "_partials/client_form.html", 422 if errors else 200,
        errors=errors, values=values, client=client, pick_lists=lists,
        category_options=[(c, label("category", c)) for c in CATEGORIES],
        manager_options=[(m.id, m.name) for m in assignable_users()] if me.can_assign else [],
    )


@bp.route("/<int:client_id>/delete", methods=["GET", "POST"])
def delete(client_id: int):
    """Delete one client (soft): a confirmation page, then the POST (no script needed to ask first)."""
    me = user()
    client = access.get_client(me, client_id)
    access.require_permission(me, "clients.delete")
    if request.method == "GET":
        return render_template("clients/delete_one.html", client=client, purge_days=deletion.purge_days())
    deletion.delete_client(client, me)
    db.commit()
    return redirect_after_post(url_for("clients.index"))


@bp.post("/<int:client_id>/contacts")
def add_contact(client_id: int):
    me = user()
    client = access.get_client(me, client_id)
    values = form_data(client_service.CONTACT_FIELDS)
    refused = inline_form(lambda: client_service.add_contact(client, values, me),
                          lambda errors: _contacts(client, errors, values))
    return refused or _contacts(client, {}, {})


@bp.route("/<int:client_id>/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def delete_contact(client_id: int, contact_id: int):
    """Remove a contact: asked first on a confirmation page (GET), done by its POST; the HTMX
    button asks with hx-confirm and posts straight here."""
    me = user()
    client = access.get_client(me, client_id)
    contact = db.session().get(Contact, contact_id)
    if contact is None or contact.client_id != client.id:
        raise NotFound()
    access.require_write(me)
    if request.method == "GET":
        return render_template("clients/delete_contact.html", client=client, contact=contact)
    client_service.delete_contact(contact, me)
    db.commit()
    return _contacts(client, {}, {})


def _contacts(client, errors, values):
    """The contacts section for HTMX; after a plain form post, back to the whole card."""
    if request.htmx:
        return render_template("_partials/contacts.html", client=client, contacts=contacts_of(client),
                               contact_errors=errors, contact_values=values)
    return redirect_after_post(url_for("clients.card", client_id=client.id))


@bp.post("/<int:client_id>/activities")
def log_activity(client_id: int):
    me = user()
    return record_activity(access.get_client(me, client_id), me)


def record_activity(client, me, engagement_id: int | None = None):
    """Log an activity from the form (the client card's, or an engagement page's)."""
    values = form_data(activities.ACTIVITY_FIELDS)
    if engagement_id is not None:
        values["engagement_id"] = engagement_id
    refused = inline_form(
        lambda: activities.log_activity(client, values, me),
        lambda errors: render_template("_partials/activity_form.html", client=client, errors=errors, values=values,
                                       activity_kinds=ACTIVITY_KINDS))
    return refused or redirect_after_post(
        safe_local_url(request.form.get("back"), url_for("clients.card", client_id=client.id)))
