"""Exhibitions: the list, one exhibition with its engagements, and the planner's forms."""
from __future__ import annotations

from flask import render_template, request, url_for

from expo.core import access, db
from expo.core.errors import NotFound
from expo.core.models import Exhibition
from expo.core.services import exhibitions as service
from expo.core.plugins import collect
from expo.core.queries import default_sorting
from expo.core.queries.board import exhibition_board
from expo.core.queries.engagements import DEFAULT_SORTING, EngagementListQuery, exhibition_engagements
from expo.core.queries.exhibitions import all_exhibitions, engagement_counts
from expo.core.validation import parse_id
from expo.core.queries.people import assignable_users
from expo.web.pages import page_or_fragment, protected_blueprint, redirect_after_post, save_form, user

bp = protected_blueprint("exhibitions", __name__, url_prefix="/exhibitions")
CARDS_PER_COLUMN = 30


@bp.get("/")
def index():
    return render_template("exhibitions/index.html", exhibitions=all_exhibitions(), counts=engagement_counts(user()))


def _get(exhibition_id: int) -> Exhibition:
    exhibition = db.session().get(Exhibition, exhibition_id)
    if exhibition is None:
        raise NotFound()
    return exhibition


@bp.get("/<int:exhibition_id>")
def show(exhibition_id: int):
    """The exhibition's board: its engagements grouped by current step (or result), per manager."""
    me = user()
    exhibition = _get(exhibition_id)
    manager_id = parse_id(request.args.get("manager_id", ""))
    columns = collect("list_columns", list_name="engagements", user=me)
    board = exhibition_board(me, exhibition.id, manager_id, CARDS_PER_COLUMN, columns,
                             default_sorting(columns, DEFAULT_SORTING))
    return page_or_fragment(
        "exhibitions/show.html", "_partials/exhibition_board.html",
        exhibition=exhibition, board=board, manager_id=manager_id, columns=columns,
        managers=assignable_users() if me.sees_all_clients else [],
    )


@bp.get("/<int:exhibition_id>/engagements")
def engagements(exhibition_id: int):
    """The exhibition's engagements as a sortable, paged list (plugin columns included)."""
    me = user()
    exhibition = _get(exhibition_id)
    columns = collect("list_columns", list_name="engagements", user=me)
    query = EngagementListQuery.from_args(request.args, default_sorting(columns, DEFAULT_SORTING))
    return page_or_fragment(
        "exhibitions/engagements.html", "_partials/engagement_list.html",
        exhibition=exhibition, query=query, columns=columns,
        page=exhibition_engagements(me, exhibition.id, query, columns),
        managers=assignable_users() if me.sees_all_clients else [],
    )


@bp.route("/new", methods=["GET", "POST"], endpoint="new")
@bp.route("/<int:exhibition_id>/edit", methods=["GET", "POST"], endpoint="edit")
def form(exhibition_id: int | None = None):
    """Create an exhibition, or edit one (planners and admins)."""
    me = user()
    access.require_assign(me)
    exhibition = _get(exhibition_id) if exhibition_id is not None else None
    values = {key: getattr(exhibition, key) for key in service.EXHIBITION_FIELDS} if exhibition else {}
    errors = {}
    if request.method == "POST":
        saved, values, errors = save_form(service.EXHIBITION_FIELDS, exhibition,
                                          create=lambda values: service.create_exhibition(values, me),
                                          update=lambda obj, values: service.update_exhibition(obj, values, me))
        if saved is not None:
            return redirect_after_post(url_for("exhibitions.show", exhibition_id=saved.id))
    return render_template("exhibitions/form.html", errors=errors, values=values, exhibition=exhibition), (
        422 if errors else 200)
