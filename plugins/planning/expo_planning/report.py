"""The report sections: plan vs fact of the report's month (per manager and exhibition), the
planning error's trend over the twelve months ending with it, and the month's gap to its target
with the best replacement candidates. Narrowed by the report's exhibition and manager filters;
its client filters do not apply (a plan is per engagement, not per client segment)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from expo_planning import candidates, queries


def _scope(period: str, filters: dict) -> queries.Scope:
    return queries.Scope(queries.Span(period, period, period), filters.get("manager_id") or None,
                         filters.get("exhibition_id") or None)


def render_plan_fact(period: str, filters: dict) -> str:
    scope = _scope(period, filters)
    return Markup(render_template("planning/_report_plan_fact.html", period=period, fact=queries.totals(scope),
                                  managers=queries.by_manager(scope), exhibitions=queries.by_exhibition(scope)))


def render_error_trend(period: str, filters: dict) -> str:
    return Markup(render_template("planning/_report_trend.html", period=period,
                                  trend=queries.trend(period, _scope(period, filters))))


def render_gap(period: str, filters: dict) -> str:
    scope = _scope(period, filters)
    plan = queries.period_plan(period, scope)
    rows = candidates.candidates(scope.exhibition_id, plan.gap, shown=10) if scope.exhibition_id and plan.gap else []
    return Markup(render_template("planning/_report_gap.html", period=period, plan=plan, rows=rows,
                                  exhibition_id=scope.exhibition_id))
