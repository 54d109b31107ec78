"""Exhibitions: the list, one exhibition with its engagements, and the planner's forms."""
from __future__ import annotations

from flask import render_template, request, url_for
from sqlalchemy import func, select

from expo.core import access, db
from expo.core.errors import NotFound
from expo.core.models import Engagement, Exhibition
from expo.core.services import exhibitions as service
from expo.core.queries.board import exhibition_board
from expo.core.validation import parse_id
from expo.web.pages import assignable_users, page_or_fragment, protected_blueprint, redirect_after_post, save_form, user

bp = protected_blueprint("exhibitions", __name__, url_prefix="/exhibitions")
CARDS_PER_COLUMN = 30


@bp.get("/")
def index():
    me = user()
    counts = (
        access.scope_engagements(select(Engagement.exhibition_id, Engagement.state, func.count()), me)
        .group_by(Engagement.exhibition_id, Engagement.state)
    )
    by_exhibition: dict[int, dict[str, int]] = {}
    for exhibition_id, state, count in db.session().execute(counts):
        by_exhibition.setdefault(exhibition_id, {})[state] = count
    exhibitions = db.session().scalars(select(Exhibition).order_by(Exhibition.starts_on.desc())).all()
    return render_template("exhibitions/index.html", exhibitions=exhibitions, counts=by_exhibition)


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
    board = exhibition_board(me, exhibition.id, manager_id, CARDS_PER_COLUMN)
    return page_or_fragment(
        "exhibitions/show.html", "_partials/exhibition_board.html",
        exhibition=exhibition, board=board, manager_id=manager_id,
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
        def save(submitted):
            if exhibition is None:
                return service.create_exhibition(submitted, me)
            service.update_exhibition(exhibition, submitted, me)
            return exhibition

        saved, values, errors = save_form(service.EXHIBITION_FIELDS, save)
        if saved is not None:
            return redirect_after_post(url_for("exhibitions.show", exhibition_id=saved.id))
    return render_template("exhibitions/form.html", errors=errors, values=values, exhibition=exhibition), (
        422 if errors else 200)
