"""The JSON API at /api/v1/funnel: the funnel, the managers' cross-statistics, the drill-down.
Rates are decimal strings with 4 places (null when there is nothing to divide by); amounts
strings with 2. Described in ``/api/v1/openapi.json`` (see ``register_api_docs``)."""
from __future__ import annotations

from flask import request

from expo.hooks import api_blueprint, api_list, api_paging, api_user, openapi
from expo_funnel import drilldown, queries
from expo_funnel.managers import Test, managers, matrix
from expo_funnel.selection import Selection

api = api_blueprint("funnel", __name__)
PAGE = 50


def _rate(value) -> str | None:
    return f"{value:.4f}" if value is not None else None


@api.get("")
def funnel():
    found = queries.funnel(Selection.from_args(request.args, api_user()))
    return {
        "scenario_id": found.selection.scenario.id if found.selection.scenario else None,
        "steps": [{"key": c.key, "title": c.title, "entered": c.entered, "passed": c.passed, "dropped": c.dropped,
                   "in_progress": c.in_progress, "drop_rate": _rate(c.drop_rate)} for c in found.steps],
        "results": [{"key": r.key, "kind": r.kind, "reason": r.reason, "count": r.count} for r in found.results],
        "reasons": [{"key": r.key, "kind": r.kind, "reason": r.reason, "step": r.step, "count": r.count}
                    for r in found.reasons],
        "weakest_step": found.weakest.key if found.weakest else None,
        "conversion": {"count": _rate(found.conversion.count), "of_entered": _rate(found.conversion.of_entered),
                       "financial": _rate(found.conversion.financial)},
    }


@api.get("/managers")
def funnel_managers():
    sel, test = Selection.from_args(request.args, api_user()), Test.from_settings()
    titles, cells = matrix(sel, test)
    return {
        "managers": [{"manager_id": r.manager_id, "name": r.name, "worked": r.worked, "won": r.won,
                      "conversion_count": _rate(r.conversion_count),
                      "conversion_financial": _rate(r.conversion_financial), "won_amount": f"{r.won_amount:.2f}",
                      "avg_cycle_days": f"{r.avg_cycle_days:.1f}" if r.avg_cycle_days is not None else None}
                     for r in managers(sel)],
        "matrix": [{"manager_id": c.manager_id, "step": c.step, "drop_rate": _rate(c.counts.drop_rate),
                    "flagged": c.flagged} for c in cells.values()],
        "test": {"level_percent": test.level, "min_sample": test.min_sample},
    }


@api.get("/engagements")
def funnel_engagements():
    sel = Selection.from_args(request.args, api_user())
    limit, offset = api_paging(PAGE)
    rows, total = drilldown.engagements(sel, api_user(), request.args.get("kind", "worked"),
                                        request.args.get("step") or None, request.args.get("result") or None,
                                        limit, offset)
    return api_list([drilldown.row(e) for e in rows], total, limit, offset)


def docs():
    """The paths and schemas ``register_api_docs`` adds to the OpenAPI document."""
    nint_rate = {"type": ["string", "null"], "pattern": r"^\d+\.\d{4}$"}
    date = {"type": "string", "format": "date"}
    filters = [openapi.param("scenario_id", openapi.ID, description="any version's id: all versions of it "
                             "(default: the default scenario)"),
               openapi.param("version_id", openapi.ID, description="one version of that scenario"),
               openapi.param("exhibition_id", openapi.ID), openapi.param("manager_id", openapi.ID),
               openapi.param("period_from", date, description="engagements opened on or after"),
               openapi.param("period_to", date, description="engagements opened on or before"),
               openapi.param("region", openapi.STR), openapi.param("industry", openapi.STR),
               openapi.param("channel", openapi.STR)]
    step = openapi.obj({"key": openapi.STR, "title": openapi.STR, "entered": openapi.INT, "passed": openapi.INT,
                        "dropped": openapi.INT, "in_progress": openapi.INT, "drop_rate": nint_rate})
    result = openapi.obj({"key": openapi.STR, "kind": openapi.STR, "reason": openapi.NSTR, "count": openapi.INT})
    reason = openapi.obj({"key": openapi.STR, "kind": openapi.STR, "reason": openapi.NSTR, "step": openapi.NSTR,
                          "count": openapi.INT})
    manager = openapi.obj({"manager_id": openapi.NINT, "name": openapi.STR, "worked": openapi.INT, "won": openapi.INT,
                           "conversion_count": nint_rate, "conversion_financial": nint_rate,
                           "won_amount": openapi.MONEY, "avg_cycle_days": openapi.NSTR})
    cell = openapi.obj({"manager_id": openapi.NINT, "step": openapi.STR, "drop_rate": nint_rate,
                        "flagged": openapi.BOOL})
    drill = [openapi.param("kind", {"type": "string", "enum": list(drilldown.KINDS)},
                           description="which number: at a step (entered, passed, dropped, in_progress), a result "
                                       "kind, or worked/closed/open"),
             openapi.param("step", openapi.STR, description="a step key"),
             openapi.param("result", openapi.STR, description="a result key")]
    paths = {
        "/funnel": {"get": openapi.op("The funnel of a scenario: steps, results, reasons, weakest step, conversion",
                                      openapi.json(openapi.obj({
                                          "scenario_id": openapi.NINT, "steps": {"type": "array", "items": step},
                                          "results": {"type": "array", "items": result},
                                          "reasons": {"type": "array", "items": reason},
                                          "weakest_step": openapi.NSTR,
                                          "conversion": openapi.obj({"count": nint_rate, "of_entered": nint_rate,
                                                                     "financial": nint_rate})})),
                                      params=filters, errors=(401, 404, 422))},
        "/funnel/managers": {"get": openapi.op(
            "Cross-statistics by manager and the managers × steps drop rates, flagged where significantly worse",
            openapi.json(openapi.obj({"managers": {"type": "array", "items": manager},
                                      "matrix": {"type": "array", "items": cell},
                                      "test": openapi.obj({"level_percent": openapi.INT,
                                                           "min_sample": openapi.INT})})),
            params=filters, errors=(401, 404, 422))},
        "/funnel/engagements": {"get": openapi.op(
            "The engagements behind one number of the funnel", openapi.json(openapi.list_of("FunnelEngagement")),
            params=filters + drill + openapi.PAGING, errors=(401, 404, 422))},
    }
    schemas = {"FunnelEngagement": openapi.obj({
        "id": openapi.INT, "client_id": openapi.INT, "client": openapi.STR, "exhibition_id": openapi.INT,
        "exhibition": openapi.STR, "manager_id": openapi.NINT, "manager": openapi.NSTR, "state": openapi.STR,
        "result": openapi.NSTR, "step": openapi.NSTR, "expected_amount": {"type": ["string", "null"]},
        "contract_amount": {"type": ["string", "null"]}, "opened_at": openapi.TIME,
        "closed_at": {"type": ["string", "null"]}})}
    return paths, schemas
