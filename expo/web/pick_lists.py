"""The firm's pick-lists for client fields (region, industry, channel): admins add, remove and
reorder the values the client form offers and the client list filters by."""
from __future__ import annotations

from flask import render_template, request, url_for

from expo.core import db
from expo.core.errors import Forbidden, NotFound
from expo.core.models import PICK_LIST_FIELDS, PickListItem
from expo.core.queries.clients import pick_list_items
from expo.core.services import clients as client_service
from expo.web.pages import protected_blueprint, redirect_after_post, save_or_refuse, user

bp = protected_blueprint("pick_lists", __name__, url_prefix="/admin/pick-lists")


@bp.before_request
def _admins_only():
    if user().role != "admin":
        raise Forbidden()


def _page(status: int = 200, values=None, errors=None):
    return render_template("admin/pick_lists.html", items=pick_list_items(), fields=PICK_LIST_FIELDS,
                           values=values or {}, errors=errors or {}), status


def _item(item_id: int) -> PickListItem:
    item = db.session().get(PickListItem, item_id)
    if item is None:
        raise NotFound()
    return item


@bp.get("")
def index():
    return _page()


@bp.post("")
def add():
    """Append a value to a field's list; a refused value shows the page again with its message."""
    values = {"field": request.form.get("field", ""), "value": request.form.get("value", "")}
    saved, errors = save_or_refuse(lambda: client_service.add_pick_list_item(values, user()))
    if saved is None:
        return _page(422, values, errors)
    return redirect_after_post(url_for("pick_lists.index") + f"#pick-{saved.field}")


@bp.post("/<int:item_id>/delete")
def remove(item_id: int):
    item = _item(item_id)
    field = item.field
    client_service.remove_pick_list_item(item, user())
    db.commit()
    return redirect_after_post(url_for("pick_lists.index") + f"#pick-{field}")


@bp.post("/<int:item_id>/move")
def move(item_id: int):
    item = _item(item_id)
    saved, errors = save_or_refuse(lambda: client_service.move_pick_list_item(item, request.form.get("direction"),
                                                                              user()) or item)
    if saved is None:
        return _page(422, {}, errors)
    return redirect_after_post(url_for("pick_lists.index") + f"#pick-{item.field}")
