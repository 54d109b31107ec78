"""The JSON API at /api/v1/planning, and its part of /api/v1/openapi.json.

- an engagement's budget: read it (whoever sees the engagement), plan it (planners, admins),
  refine it (its manager, planners, admins: 201), record its actual amount (the same; a won
  engagement only) — each write answers the budget as it is afterwards;
- a period's plan vs fact (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``): planners, admins and viewers
  for any manager and exhibition, a manager for their own numbers only;
- the recommended plan for a target, and the replacement candidates for a gap: planners, admins,
  viewers.

Money is a decimal string with 2 places (``"1500.00"``), ratios a decimal string with 4
(``"0.2500"``), null when undefined. Bad input is a JSON error (4xx) and changes nothing.
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask import request
from flask_babel import lazy_gettext as _l

from expo.hooks import (Forbidden, NotFound, ValidationError, api_blueprint, api_user, commit, db_session, fields,
                        get_engagement, json_body, models, openapi)
from expo_planning import candidates as replacement, queries, services
from expo_planning.models import KINDS, Period

api = api_blueprint("planning", __name__)

# What the paths take, exactly as the OpenAPI document says (the fuzzer holds the API to it).
YEAR = r"(?:20[0-9]{2}|2100)"  # 2000–2100, as fields.period and queries.parse_span take them
MONTH = rf"{YEAR}-(?:0[1-9]|1[0-2])"
SPAN = rf"{MONTH}|{YEAR}-[Qq][1-4]|{YEAR}"


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _ratio(value: Decimal | None) -> str | None:
    if value is None:
        return None
    return f"{(value if value else abs(value)):.4f}"  # no "-0.0000"


def _reader(user) -> None:
    """Planners, admins, viewers (who see the whole base)."""
    if not user.sees_all_clients:
        raise Forbidden()


def _span(text: str) -> queries.Span:
    """A month, quarter or year, written exactly as the document says (no spaces around it)."""
    if not re.fullmatch(SPAN, text):
        queries.parse_span(None)  # raises the clear message
    return queries.parse_span(text)


def _month(text: str) -> str:
    """A month, ``YYYY-MM``, written exactly as the document says."""
    if not re.fullmatch(MONTH, text):
        raise ValidationError(fields={"period": str(_l("A period is a month: YYYY-MM."))})
    return text


def _arg(name: str) -> str | None:
    """A query parameter: None when left out; given blank it is an error (the API reads one value)."""
    if name not in request.args:
        return None
    value = request.args[name]
    if not value.strip():
        raise ValidationError(fields={name: str(_l("Give a value or leave the parameter out."))})
    return value


def _id_arg(name: str) -> int | None:
    raw = _arg(name)
    return None if raw is None else fields.clean({name: fields.identifier(required=True)}, {name: raw})[name]


def _money_arg(name: str) -> Decimal | None:
    raw = _arg(name)
    return None if raw is None else fields.clean({name: fields.money(required=True)}, {name: raw})[name]


def _exhibition_arg(required: bool = False) -> int | None:
    exhibition_id = _id_arg("exhibition_id")
    if exhibition_id is None and required:
        raise ValidationError(fields={"exhibition_id": str(_l("Choose an exhibition."))})
    if exhibition_id is not None and db_session().get(models.Exhibition, exhibition_id) is None:
        raise ValidationError(fields={"exhibition_id": str(_l("No such exhibition."))})
    return exhibition_id


# --- an engagement's budget ---------------------------------------------------------------------


def budget_json(engagement: models.Engagement) -> dict:
    budget, history = queries.engagement_budget(engagement.id)
    return {
        "engagement_id": engagement.id,
        "period": budget.period if budget else None,
        "planned": _money(budget.planned) if budget else None,
        "refined": _money(budget.refined) if budget else None,
        "actual": _money(engagement.contract_amount) if engagement.state == "won" else None,
        "history": [{"at": change.at.isoformat(), "kind": change.kind, "period": change.period,
                     "old": _money(change.old_amount), "amount": _money(change.amount), "comment": change.comment,
                     "user_id": change.user_id, "user": name} for change, name in history],
    }


@api.get("/engagements/<int:engagement_id>")
def engagement_budget(engagement_id: int):
    return budget_json(get_engagement(api_user(), engagement_id))


@api.put("/engagements/<int:engagement_id>/planned")
def put_planned(engagement_id: int):
    user = api_user()
    engagement = get_engagement(user, engagement_id)  # 404 before 403
    services.require_planner(user)  # 403 before any word on the body
    services.set_planned(engagement, json_body(), user)
    commit()
    return budget_json(engagement)


@api.post("/engagements/<int:engagement_id>/refinements")
def post_refinement(engagement_id: int):
    user = api_user()
    engagement = get_engagement(user, engagement_id)
    services.require_worker(user, engagement)
    services.refine(engagement, json_body(), user)
    commit()
    return budget_json(engagement), 201


@api.put("/engagements/<int:engagement_id>/actual")
def put_actual(engagement_id: int):
    user = api_user()
    engagement = get_engagement(user, engagement_id)
    services.require_worker(user, engagement)
    services.set_actual(engagement, json_body(), user)
    commit()
    return budget_json(engagement)


# --- a period's plan vs fact, the recommendation, the candidates ---------------------------------


@api.get("/periods/<period>")
def period_fact(period: str):
    user = api_user()
    span = _span(period)
    manager_id, exhibition_id = _id_arg("manager_id"), _exhibition_arg()
    if not user.sees_all_clients:  # a manager: their own numbers, nobody else's
        if manager_id is not None and manager_id != user.id:
            raise NotFound()
        manager_id = user.id
    elif manager_id is not None and db_session().get(models.User, manager_id) is None:
        raise ValidationError(fields={"manager_id": str(_l("No such user."))})
    fact = queries.totals(queries.Scope(span, manager_id, exhibition_id))
    return {"period": span.name, "planned": _money(fact.planned), "refined": _money(fact.refined),
            "actual": _money(fact.actual), "lost": _money(fact.lost), "error": _ratio(fact.error),
            "refined_error": _ratio(fact.refined_error), "clients": fact.clients}


@api.get("/recommendation")
def recommendation():
    _reader(api_user())
    raw = _arg("period")
    if raw is None:
        raise ValidationError(fields={"period": str(_l("This field is required."))})
    month = _month(raw)
    target = _money_arg("target")
    if target is None:  # the period's own target, when a planner set one
        stored = db_session().get(Period, month)
        target = stored.target if stored else None
        if target is None:
            raise ValidationError(fields={"target": str(_l("Give a target: the period has none."))})
    rate = queries.realisation(queries.basis_periods(month))  # no basis: the clear 422
    if not rate:  # Σ planned 0, or a ratio that rounds to 0.0000: no plan reaches the target
        raise ValidationError(fields={"period": str(_l(
            "The basis periods give no realisation ratio to plan with: nothing planned in them, or next to "
            "nothing of it won (below 0.0001)."))})
    found = queries.recommend(month, target)
    return {"target": _money(found.target), "realisation_ratio": _ratio(found.realisation_ratio),
            "plan": _money(found.plan),
            "basis_periods": [{"period": basis, "planned": _money(fact.planned), "actual": _money(fact.actual)}
                              for basis, fact in found.basis]}


@api.get("/periods/<period>/candidates")
def period_candidates(period: str):
    _reader(api_user())
    month = _month(period)
    exhibition_id = _exhibition_arg(required=True)
    gap = _money_arg("gap")
    return {"period": month, "exhibition_id": exhibition_id, "gap": _money(gap),
            "items": [{"client_id": c.client_id, "name": c.name, "expected": _money(c.expected),
                       "priority": c.priority, "running": _money(c.running), "covers": c.covers}
                      for c in replacement.candidates(exhibition_id, gap)]}


# --- /api/v1/openapi.json ------------------------------------------------------------------------

# fields.money as the document says it: a JSON integer, or ASCII digits with spaces between
# thousands and one decimal separator (at most two decimals, at most 999 999 999 999.99: else 422).
_AMOUNT_TEXT = "(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?"
AMOUNT_IN = {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 999999999999},
                       {"type": "string", "pattern": rf"^\s*{_AMOUNT_TEXT}\s*$",
                        "description": "a decimal string, at most two decimals: \"1500.00\" (also \"1 500,00\")"}]}
AMOUNT_QUERY = {"type": "string", "pattern": rf"^\s*{_AMOUNT_TEXT}\s*$", "description": "a decimal string: 1500.00"}
RATIO = {"type": ["string", "null"], "pattern": r"^-?[0-9]+\.[0-9]{4}$", "description": "decimal string"}


def docs():
    """The paths and schemas ``register_api_docs`` adds to the OpenAPI document."""
    o = openapi
    change = o.obj({"at": o.TIME, "kind": {"enum": list(KINDS)}, "period": o.NSTR, "old": o.MONEY,
                    "amount": o.MONEY, "comment": o.NSTR, "user_id": o.NINT, "user": o.NSTR},
                   ("at", "kind", "period", "old", "amount", "comment", "user_id", "user"))
    schemas = {
        "PlanningBudget": o.obj({"engagement_id": o.INT, "period": o.NSTR, "planned": o.MONEY, "refined": o.MONEY,
                                 "actual": o.MONEY, "history": {"type": "array", "items": o.ref("PlanningChange")}},
                                ("engagement_id", "period", "planned", "refined", "actual", "history")),
        "PlanningChange": change,
        "PlanningPlannedInput": o.obj({"amount": AMOUNT_IN,
                                       "period": {"type": "string", "pattern": rf"^\s*(?:{MONTH})\s*$",
                                                  "description": "a month, YYYY-MM (2000–2100)"}},
                                      ("amount", "period"), closed=True),
        "PlanningRefinementInput": o.obj({"amount": AMOUNT_IN, "comment": o.text(1000)}, ("amount",), closed=True),
        "PlanningActualInput": o.obj({"amount": AMOUNT_IN}, ("amount",), closed=True),
        "PlanningPeriod": o.obj({"period": o.STR, "planned": o.MONEY, "refined": o.MONEY, "actual": o.MONEY,
                                 "lost": o.MONEY, "error": RATIO, "refined_error": RATIO, "clients": o.INT},
                                ("period", "planned", "refined", "actual", "lost", "error", "refined_error",
                                 "clients")),
        "PlanningRecommendation": o.obj({
            "target": o.MONEY, "realisation_ratio": RATIO, "plan": o.MONEY,
            "basis_periods": {"type": "array", "items": o.obj({"period": o.STR, "planned": o.MONEY,
                                                               "actual": o.MONEY},
                                                              ("period", "planned", "actual"))}},
            ("target", "realisation_ratio", "plan", "basis_periods")),
        "PlanningCandidates": o.obj({
            "period": o.STR, "exhibition_id": o.INT, "gap": o.MONEY,
            "items": {"type": "array", "items": o.obj({
                "client_id": o.INT, "name": o.STR, "expected": o.MONEY, "priority": {"type": "number"},
                "running": o.MONEY, "covers": o.BOOL},
                ("client_id", "name", "expected", "priority", "running", "covers"))}},
            ("period", "exhibition_id", "gap", "items")),
    }
    engagement_id = o.path_id("engagement_id")
    budget = o.json(o.ref("PlanningBudget"))
    span = o.param("period", {"type": "string", "pattern": f"^(?:{SPAN})$"}, "path",
                   "a month YYYY-MM, a quarter YYYY-Q1…Q4 or a year YYYY (2000–2100)")
    month = {"type": "string", "pattern": f"^(?:{MONTH})$"}
    paths = {
        "/planning/engagements/{engagement_id}": {"get": o.op(
            "The engagement's budget — planned, current refined, actual (its contract amount when won) — and "
            "its history, oldest first", budget, params=engagement_id)},
        "/planning/engagements/{engagement_id}/planned": {"put": o.op(
            "Plan the engagement's budget for a month (planners, admins)", budget, body="PlanningPlannedInput",
            params=engagement_id, errors=o.WRITE_ERRORS)},
        "/planning/engagements/{engagement_id}/refinements": {"post": o.op(
            "Refine the planned budget during negotiation (its manager, planners, admins; an open engagement "
            "of a period not closed); the latest refinement is current", o.json(o.ref("PlanningBudget"), "refined"),
            201, body="PlanningRefinementInput", params=engagement_id, errors=o.WRITE_ERRORS)},
        "/planning/engagements/{engagement_id}/actual": {"put": o.op(
            "Record the actual amount, the contract amount of a won engagement (its manager, planners, admins)",
            budget, body="PlanningActualInput", params=engagement_id, errors=o.WRITE_ERRORS)},
        "/planning/periods/{period}": {"get": o.op(
            "Plan vs fact of a period: Σ planned, Σ current refined (else planned), Σ actual of the won, Σ planned "
            "of the lost and declined, the planning errors; a manager sees their own numbers only",
            o.json(o.ref("PlanningPeriod")),
            params=[span, o.param("manager_id", o.ID, description="one manager's engagements (a manager: their own "
                                                                 "id only)"),
                    o.param("exhibition_id", o.ID, description="one exhibition's engagements")],
            errors=(401, 404, 422))},
        "/planning/recommendation": {"get": o.op(
            "How much to plan for a month so that the actual lands on the target: target ÷ the realisation ratio "
            "(Σ actual ÷ Σ planned) of the earlier periods whose planned engagements have all closed "
            "(planners, admins, viewers)", o.json(o.ref("PlanningRecommendation")),
            params=[{**o.param("period", month, description="the month to plan, YYYY-MM"), "required": True},
                    o.param("target", AMOUNT_QUERY, description="default: the period's target")],
            errors=(401, 403, 422))},
        "/planning/periods/{period}/candidates": {"get": o.op(
            "Clients who could replace a refusal in an exhibition's plan, best first, with the running sum of "
            "their expected amounts against the gap (planners, admins, viewers)", o.json(o.ref("PlanningCandidates")),
            params=[o.param("period", month, "path", "a month, YYYY-MM"),
                    {**o.param("exhibition_id", o.ID), "required": True},
                    o.param("gap", AMOUNT_QUERY, description="the amount to cover")],
            errors=(401, 403, 404, 422))},
    }
    return paths, schemas
