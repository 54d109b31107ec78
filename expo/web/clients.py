"""Client base pages: list with search and filters, card, forms, contacts, activities, export."""
from __future__ import annotations

import csv
import io

from flask import Response, render_template, request, url_for
from sqlalchemy import select

from expo.core import access, db
from expo.core.errors import NotFound, ValidationError
from expo.core.models import ACTIVITY_KINDS, CATEGORIES, Activity, Contact, Engagement, Exhibition
from expo.core.labels import label
from expo.core.plugins import collect
from expo.core.queries.clients import FILTERS, ClientListQuery, filter_options, list_clients
from expo.core.services import activities, audit, clients as client_service
from expo.web.pages import (assignable_users, form_data, page_or_fragment, protected_blueprint, redirect_after_post,
                            safe_local_url, save_form, user)

bp = protected_blueprint("clients", __name__, url_prefix="/clients")
EXPORT_LIMIT = 100_000


@bp.get("/")
def index():
    me = user()
    columns = collect("list_columns", list_name="clients", user=me)
    try:
        query = ClientListQuery.from_args(request.args, default_limit=50)
        page = list_clients(me, query, columns)
        error = None
    except ValidationError as problem:
        query, page, error = ClientListQuery(), None, problem
    context = dict(query=query, page=page, error=error, columns=columns,
                   options=filter_options(me), managers=assignable_users() if me.sees_all_clients else [],
                   categories=CATEGORIES, filters=FILTERS)
    return page_or_fragment("clients/index.html", "_partials/client_results.html", **context)


@bp.post("/export.csv")
def export():
    """CSV of the filtered list; needs the ``clients.export`` right and is audited."""
    me = user()
    access.require_permission(me, "clients.export")
    query = ClientListQuery.from_args(request.form, default_limit=1)
    query.offset, query.limit = 0, EXPORT_LIMIT
    page = list_clients(me, query)
    out = io.StringIO()
    writer = csv.writer(out)
    fields = ("id", "name", "tax_id", "region", "industry", "channel", "category", "email", "phone", "manager_id")
    writer.writerow(fields)
    for client, _extra in page.rows:
        writer.writerow([_cell(getattr(client, f)) for f in fields])
    audit.record("export", "client", None, me, count=len(page.rows), q=query.q, filters=query.filters)
    db.commit()
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=clients.csv"})


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.get("/<int:client_id>")
def card(client_id: int):
    me = user()
    client = access.get_client(me, client_id)
    session = db.session()
    engagements = session.scalars(
        access.scope_engagements(select(Engagement), me)
        .where(Engagement.client_id == client.id)
        .order_by(Engagement.opened_at.desc())
    ).all()
    history = session.scalars(
        select(Activity).where(Activity.client_id == client.id).order_by(Activity.occurred_at.desc()).limit(100)
    ).all()
    taken = {e.exhibition_id for e in engagements}
    exhibitions = [x for x in session.scalars(select(Exhibition).order_by(Exhibition.starts_on.desc()))
                   if x.id not in taken]
    return render_template(
        "clients/card.html", client=client, engagements=engagements, history=history,
        exhibitions=exhibitions, activity_kinds=ACTIVITY_KINDS,
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
    if request.method == "POST":
        def save(submitted):
            if not me.can_assign:
                submitted.pop("manager_id", None)  # the service would refuse it; the form has no such field
            if client is None:
                return client_service.create_client(submitted, me)
            client_service.update_client(client, submitted, me)
            return client

        saved, values, errors = save_form(client_service.CLIENT_FIELDS, save)
        if saved is not None:
            return redirect_after_post(url_for("clients.card", client_id=saved.id))
    return page_or_fragment(
        "clients/form.html", "_partials/client_form.html", 422 if errors else 200,
        errors=errors, values=values, client=client,
        category_options=[(c, label("category", c)) for c in CATEGORIES],
        manager_options=[(m.id, m.name) for m in assignable_users()] if me.can_assign else [],
    )


@bp.post("/<int:client_id>/delete")
def delete(client_id: int):
    me = user()
    client = access.get_client(me, client_id)
    client_service.delete_client(client, me)
    db.commit()
    return redirect_after_post(url_for("clients.index"))


@bp.post("/<int:client_id>/contacts")
def add_contact(client_id: int):
    me = user()
    client = access.get_client(me, client_id)
    values = form_data(client_service.CONTACT_FIELDS)
    try:
        client_service.add_contact(client, values, me)
        db.commit()
    except ValidationError as problem:
        if not request.htmx:
            raise  # a plain form post: the error page lists each field's problem
        db.rollback()
        return _contacts(client, problem.fields, values), 422
    return _contacts(client, {}, {})


@bp.post("/<int:client_id>/contacts/<int:contact_id>/delete")
def delete_contact(client_id: int, contact_id: int):
    me = user()
    client = access.get_client(me, client_id)
    contact = db.session().get(Contact, contact_id)
    if contact is None or contact.client_id != client.id:
        raise NotFound()
    client_service.delete_contact(contact, me)
    db.commit()
    return _contacts(client, {}, {})


def _contacts(client, errors, values):
    """The contacts section for HTMX; after a plain form post, back to the whole card."""
    if request.htmx:
        db.session().refresh(client)
        return render_template("_partials/contacts.html", client=client, contact_errors=errors,
                               contact_values=values)
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
    try:
        activities.log_activity(client, values, me)
        db.commit()
    except ValidationError as problem:
        if not request.htmx:
            raise  # a plain form post: the error page lists each field's problem
        db.rollback()
        return render_template("_partials/activity_form.html", client=client, errors=problem.fields,
                               values=values, activity_kinds=ACTIVITY_KINDS), 422
    return redirect_after_post(safe_local_url(request.form.get("back"), url_for("clients.card", client_id=client.id)))
