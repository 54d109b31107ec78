"""Pages at /planning: the period page (plan vs fact, the error trend, the recommendation, the
gap and its replacement candidates), an engagement's budget panel with its forms and history,
and the distribution of an exhibition's work among the managers (``distribution_views``).

Reading plans is for those who see the whole base (planners, admins, viewers); the budget panel
is for whoever sees the engagement. Every write is a POST with CSRF, checked by the services.
"""
from __future__ import annotations

from decimal import Decimal

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from expo.hooks import (Forbidden, NotFound, ValidationError, commit, current_user, db_session, fields, get_engagement,
                        inline_form, models, page_or_fragment, protected_blueprint, redirect_after_post, today)
from expo_planning import candidates as replacement, chart, queries, services

bp = protected_blueprint("planning", __name__, url_prefix="/planning", template_folder="templates")
bp.add_app_template_global(chart.error_trend, "planning_trend_chart")

from expo_planning import distribution_views  # noqa: E402  (its routes go on the same blueprint)

distribution_views.register(bp)


def _require_reader() -> None:
    if not current_user.sees_all_clients:
        raise Forbidden()


def _id_arg(name: str) -> int | None:
    """An id from the query string (blank: none), refused with the core's own message."""
    raw = request.args.get(name, "").strip()
    return fields.clean({name: fields.identifier(required=True)}, {name: raw})[name] if raw else None


def _scope(span: queries.Span) -> queries.Scope:
    manager_id, exhibition_id = _id_arg("manager_id"), _id_arg("exhibition_id")
    if exhibition_id and db_session().get(models.Exhibition, exhibition_id) is None:
        raise NotFound()
    if manager_id and db_session().get(models.User, manager_id) is None:
        raise NotFound()
    return queries.Scope(span, manager_id, exhibition_id)


def _month(period: str) -> str:
    """The path's month (``YYYY-MM`` exactly; a quarter or a year is not a month)."""
    span = queries.parse_span(period)
    if span.first != span.last:
        raise ValidationError(fields={"period": str(_l("A period is a month: YYYY-MM."))})
    return span.first


@bp.get("/")
def index():
    _require_reader()
    return redirect(url_for("planning.period", period=today().strftime("%Y-%m")))


def _target_arg() -> Decimal | None:
    raw = request.args.get("target", "").strip()
    if not raw:
        return None
    return fields.clean({"target": fields.money(required=True)}, {"target": raw})["target"]


@bp.get("/periods/<period>")
def period(period: str):
    _require_reader()
    span = queries.parse_span(period)
    scope = _scope(span)
    month = span.first == span.last
    plan = queries.period_plan(span.first, scope) if month else None
    target = _target_arg() or (plan.target if plan else None)
    recommendation, why_not = None, None
    if month and target:
        try:
            recommendation = queries.recommend(span.first, target)
        except ValidationError as problem:
            why_not = next(iter(problem.fields.values()))
    return page_or_fragment(
        "planning/period.html", "planning/_period.html", span=span, scope=scope, plan=plan,
        fact=plan.fact if plan else queries.totals(scope), managers=queries.by_manager(scope),
        exhibitions=queries.by_exhibition(scope), trend=queries.trend(span.last, scope),
        recommendation=recommendation, why_not=why_not, target=target,
        previous=queries.shift(span.first, -1), following=queries.shift(span.first, 1),
        exhibition_choices=db_session().execute(select(models.Exhibition.id, models.Exhibition.name)
                                                .order_by(models.Exhibition.name)).all())


@bp.post("/periods/<period>/target")
def set_target(period: str):
    services.require_planner(current_user)
    services.set_target(_month(period), {"target": request.form.get("target", "")}, current_user)
    commit()
    return redirect_after_post(url_for("planning.period", period=period))


@bp.post("/periods/<period>/close")
def close(period: str):
    services.require_planner(current_user)
    closed = request.form.get("closed", "")  # said, not assumed: the form always sends it
    if closed not in ("0", "1"):
        raise ValidationError(fields={"closed": str(_l("Must be 0 (open) or 1 (closed)."))})
    services.close_period(_month(period), current_user, closed=closed == "1")
    commit()
    return redirect_after_post(url_for("planning.period", period=period))


@bp.get("/periods/<period>/candidates")
def candidates(period: str):
    _require_reader()
    month = _month(period)
    exhibition_id = _id_arg("exhibition_id")
    if exhibition_id is None or db_session().get(models.Exhibition, exhibition_id) is None:
        raise ValidationError(fields={"exhibition_id": str(_l("Choose an exhibition."))})
    gap = fields.clean({"gap": fields.money()}, {"gap": request.args.get("gap", "")}).get("gap")
    return page_or_fragment("planning/candidates.html", "planning/_candidates.html", period=month,
                            exhibition_id=exhibition_id, gap=gap, rows=replacement.candidates(exhibition_id, gap))


@bp.post("/periods/<period>/replacements")
def replacements(period: str):
    services.require_planner(current_user)  # a refusal before any word on the form
    exhibition_id = fields.parse_id(request.form.get("exhibition_id", ""))
    if exhibition_id is None or db_session().get(models.Exhibition, exhibition_id) is None:
        raise ValidationError(fields={"exhibition_id": str(_l("Choose an exhibition."))})
    chosen = list(dict.fromkeys(fields.clean({"client_id": fields.identifier(required=True)}, {"client_id": value})
                                ["client_id"] for value in request.form.getlist("client_id")))
    replacement.open_replacements(exhibition_id, _month(period), chosen, current_user)
    commit()
    return redirect_after_post(url_for("planning.period", period=period, exhibition_id=exhibition_id))


# --- an engagement's budget: the engagement page's panel ------------------------------------


def _budget_view(engagement, errors=None, status=200):
    budget, history = queries.engagement_budget(engagement.id)
    return page_or_fragment("planning/budget.html", "planning/_budget_panel.html", status, engagement=engagement,
                            budget=budget, history=history, errors=errors or {},
                            closed=bool(budget and services.is_closed(budget.period)))


@bp.get("/engagements/<int:engagement_id>/budget")
def budget_panel(engagement_id: int):
    return _budget_view(get_engagement(current_user, engagement_id))


def _save_budget(engagement_id: int, save):
    engagement = get_engagement(current_user, engagement_id)  # 404 before 403
    refused = inline_form(lambda: save(engagement), lambda errors: _budget_view(engagement, errors, 422)[0])
    if refused:
        return refused
    if request.htmx:
        return _budget_view(engagement)[0], 200, {"HX-Trigger": "expo:changed", "Vary": "HX-Request"}
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


@bp.post("/engagements/<int:engagement_id>/planned")
def set_planned(engagement_id: int):
    return _save_budget(engagement_id, lambda e: services.set_planned(
        e, {"amount": request.form.get("amount", ""), "period": request.form.get("period", "")}, current_user))


@bp.post("/engagements/<int:engagement_id>/refinements")
def refine(engagement_id: int):
    return _save_budget(engagement_id, lambda e: services.refine(
        e, {"amount": request.form.get("amount", ""), "comment": request.form.get("comment", "")}, current_user))


@bp.post("/engagements/<int:engagement_id>/actual")
def set_actual(engagement_id: int):
    return _save_budget(engagement_id, lambda e: services.set_actual(
        e, {"amount": request.form.get("amount", "")}, current_user))

