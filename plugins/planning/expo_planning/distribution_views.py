"""The distribution page of an exhibition, at /planning/exhibitions/<id>/distribution: the
managers' loads, the work not distributed yet (and one manager's, to reassign), the bulk
assignment and the suggestion that balances the load. Planners and admins only.

The page's state — the name filter ``q``, the ``page`` of the lists, the manager whose work is
shown for reassignment ``from_manager`` — travels in the URL for a GET and as hidden fields in
the forms, so a refused POST shows the same page again, with the ticked items still ticked and
every problem named (422), and nothing written. HTMX gets the fragment (``_distribution.html``,
or ``_suggestion.html`` for a suggestion), a plain browser the whole page.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from expo.hooks import (NotFound, ValidationError, commit, current_user, db_session, fields, models,
                        page_or_fragment, redirect_after_post, rollback)
from expo_planning import assignment, distribution

PAGE_TEMPLATE, FRAGMENT, SUGGESTION = ("planning/distribution.html", "planning/_distribution.html",
                                       "planning/_suggestion.html")
MANAGER_FOR = "manager_for:"


def register(bp) -> None:
    """Add the distribution routes to the plugin's blueprint."""
    base = "/exhibitions/<int:exhibition_id>/distribution"
    bp.add_url_rule(base, "distribution", show, methods=["GET"])
    bp.add_url_rule(f"{base}/assign", "distribution_assign", assign, methods=["POST"])
    bp.add_url_rule(f"{base}/suggest", "distribution_suggest", suggest, methods=["POST"])


@dataclass
class View:
    q: str
    page: int
    from_manager: int | None
    from_manager_name: str = ""

    @property
    def args(self) -> dict:
        """The state as URL parameters (for links and redirects that keep it)."""
        found = {"q": self.q, "page": self.page if self.page > 1 else None, "from_manager": self.from_manager}
        return {key: value for key, value in found.items() if value}


def _exhibition(exhibition_id: int) -> models.Exhibition:
    distribution.require_planner(current_user)  # the page is a planner's whatever the exhibition: 403 first
    exhibition = db_session().get(models.Exhibition, exhibition_id)
    if exhibition is None:
        raise NotFound()
    return exhibition


def _view() -> View:
    """The page's state from the query string (GET) or the form's hidden fields (POST)."""
    values = request.values
    q = " ".join((values.get("q") or "").split())[:200]
    page = values.get("page", "").strip()
    number = int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 100_000 else 1
    raw = (values.get("from_manager") or "").strip()
    from_manager = fields.parse_id(raw) if raw else None
    if raw and from_manager is None:
        raise ValidationError(fields={"from_manager": str(_l("Must be an id."))})
    name = ""
    if from_manager is not None:
        holder = db_session().get(models.User, from_manager)
        if holder is None:
            raise NotFound()
        name = holder.name
    return View(q, number, from_manager, name)


def _context(exhibition: models.Exhibition, view: View, **extra) -> dict:
    """Everything the page shows: a constant number of statements (pages of the lists, grouped loads)."""
    context = dict(
        exhibition=exhibition, view=view, loads=distribution.loads(exhibition.id),
        holders=distribution.holders(exhibition.id),
        unassigned=distribution.unassigned(exhibition.id, view.q, view.page),
        unengaged=distribution.unengaged(exhibition.id, view.q, view.page),
        handed=distribution.handled_by(exhibition.id, view.from_manager, view.q, view.page)
        if view.from_manager else None,
        errors={}, chosen=set(), values={}, done=None, suggestion=None, suggestion_errors={})
    context.update(extra)
    return context


def _manager_for() -> dict[str, str]:
    """``{item key: manager id}`` from the suggestion's ``manager_for:<item>`` selects."""
    return {key[len(MANAGER_FOR):]: value for key, value in request.form.items() if key.startswith(MANAGER_FOR)}


def _posted() -> dict:
    return {"manager_id": request.form.get("manager_id", ""), "reason": request.form.get("reason", "")}


def show(exhibition_id: int):
    exhibition = _exhibition(exhibition_id)
    assigned = fields.parse_id(request.args.get("assigned", ""))  # after a redirect: say what was done
    return page_or_fragment(PAGE_TEMPLATE, FRAGMENT, **_context(exhibition, _view(), done=assigned))


def assign(exhibition_id: int):
    """Assign the ticked items (``item``) to ``manager_id``, or each to its ``manager_for:<item>``;
    engagements that have a manager are reassigned with the ``reason``. All or nothing."""
    exhibition = _exhibition(exhibition_id)
    view = _view()
    items, manager_for = request.form.getlist("item"), _manager_for()
    try:
        assignments, reason = assignment.check(exhibition.id, items, manager_for, request.form.get("manager_id", ""),
                                                 request.form.get("reason", ""), current_user)
        done = assignment.assign(exhibition, assignments, reason, current_user)
    except ValidationError as problem:
        rollback()
        suggestion = assignment.preview(exhibition.id, items, manager_for)
        errors = problem.fields or {"item": str(problem.message)}
        # The problems are shown where they were made: in the suggestion's form when it was applied.
        return page_or_fragment(PAGE_TEMPLATE, FRAGMENT, 422, **_context(
            exhibition, view, errors={} if suggestion else errors, chosen=set(items), values=_posted(),
            suggestion=suggestion, suggestion_errors=errors if suggestion else {}))
    commit()
    if request.htmx:
        body, status, headers = page_or_fragment(PAGE_TEMPLATE, FRAGMENT, **_context(exhibition, view, done=done))
        return body, status, {**headers, "HX-Trigger": "expo:changed"}
    return redirect_after_post(url_for("planning.distribution", exhibition_id=exhibition.id, assigned=done,
                                       **view.args))


def suggest(exhibition_id: int):
    """A preview that balances the ticked items among the managers (``mode`` count or amount,
    optionally only among the ``manager_id`` values); the planner edits it and applies it."""
    exhibition = _exhibition(exhibition_id)
    view = _view()
    items = request.form.getlist("item")
    try:
        suggestion = assignment.suggest(exhibition.id, items, request.form.get("mode", ""),
                                          request.form.getlist("manager_id"), current_user)
        status, errors = 200, {}
    except ValidationError as problem:
        suggestion, status, errors = None, 422, problem.fields or {"item": str(problem.message)}
    return page_or_fragment(PAGE_TEMPLATE, SUGGESTION, status, **_context(
        exhibition, view, chosen=set(items), values=_posted(), suggestion=suggestion, suggestion_errors=errors))
