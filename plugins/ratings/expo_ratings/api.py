"""The JSON API at /api/v1/ratings, and its part of /api/v1/openapi.json.

Reads follow the visibility rules (a manager's foreign client is 404); writes are for planners
and admins (403 for the others), take ``{"value": n}`` with ``n`` a JSON integer in the range,
and answer the ratings as they are afterwards.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from expo.hooks import (ApiDoc, NotFound, ValidationError, api_blueprint, api_list, api_paging, api_user, commit,
                        db_session, fields, get_client, get_engagement, json_body, models, openapi)
from expo_ratings import queries, rules as rule_set, services
from expo_ratings.models import CAUSES, COMPONENTS, RUN_STATES, Recomputation

api = api_blueprint("ratings", __name__)


def _exhibition_id() -> int | None:
    raw = request.args.get("exhibition_id", "")
    if not raw.strip():
        return None
    exhibition_id = fields.clean({"exhibition_id": fields.identifier(required=True)},
                                 {"exhibition_id": raw})["exhibition_id"]
    if db_session().get(models.Exhibition, exhibition_id) is None:
        raise ValidationError(fields={"exhibition_id": _("No such exhibition.")})
    return exhibition_id


def run_json(run: Recomputation | None) -> dict | None:
    if run is None:
        return None
    return {"id": run.id, "trigger": run.trigger, "state": run.state, "percent": run.percent, "changed": run.changed,
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None, "error": run.error}


@api.get("/clients/<int:client_id>")
def client_ratings(client_id: int):
    client = get_client(api_user(), client_id)
    return queries.ratings_of(client.id, _exhibition_id()).as_json()


@api.put("/clients/<int:client_id>/personal")
def put_personal(client_id: int):
    client = get_client(api_user(), client_id)
    services.set_personal(client, json_body(), api_user(), strict=True)
    commit()
    return queries.ratings_of(client.id).as_json()


@api.put("/engagements/<int:engagement_id>")
def put_exhibition(engagement_id: int):
    engagement = get_engagement(api_user(), engagement_id)
    services.set_exhibition(engagement, json_body(), api_user(), strict=True)
    commit()
    return {**queries.ratings_of(engagement.client_id, engagement.exhibition_id).as_json(),
            "engagement_id": engagement.id, "engagement_status": queries.status_of(engagement.id)}


@api.get("/clients/<int:client_id>/history")
def client_history(client_id: int):
    client = get_client(api_user(), client_id)
    limit, offset = api_paging()
    items = [{"at": c.change.at.isoformat(), "user_id": c.change.user_id, "user": c.user_name,
              "component": c.change.component, "engagement_id": c.change.engagement_id,
              "old": c.change.old_value, "new": c.change.new_value, "cause": c.change.cause, "note": c.change.note}
             for c in queries.history(client.id, limit, offset)]
    return api_list(items, queries.history_count(client.id), limit, offset)


def _rules_json(run: Recomputation | None) -> dict:
    low, high = rule_set.rating_range()
    return {"rules": [rule_set.rule_json(rule) for rule in rule_set.current_rules()], "min": low, "max": high,
            "recomputation": run_json(run)}


@api.get("/rules")
def get_rules():
    return _rules_json(queries.latest_recomputation())


@api.put("/rules")
def put_rules():
    services.require_planner(api_user())  # a refusal before any word on the body
    data = json_body()
    unknown = {key: _("Unknown field.") for key in data if key != "rules"}
    if unknown or "rules" not in data:
        raise ValidationError(fields=unknown or {"rules": _("This field is required.")})
    run = services.save_rules(data["rules"], api_user(), strict=True)
    commit()  # the recomputation job starts now
    return _rules_json(db_session().get(Recomputation, run.id))


@api.get("/recomputations/<int:recomputation_id>")
def recomputation(recomputation_id: int):
    run = db_session().get(Recomputation, recomputation_id)
    if run is None:
        raise NotFound()
    return run_json(run)


def api_docs() -> list[ApiDoc]:
    o = openapi
    rule = o.obj({"id": o.INT, "result": o.NSTR, "kind": {"enum": ["won", "lost", "declined", None]},
                  "reason": o.NSTR, "points": o.INT}, ("points",))
    run = o.obj({"id": o.INT, "trigger": o.STR, "state": {"enum": list(RUN_STATES)},
                 "percent": o.INT, "changed": o.INT, "created_at": o.TIME, "finished_at": o.TIME, "error": o.NSTR})
    parts = {"client_id": o.INT, "exhibition_id": o.NINT, "status": o.INT, "exhibition": o.INT, "personal": o.INT,
             "total": o.INT}
    change = o.obj({"at": o.TIME, "user_id": o.NINT, "user": o.NSTR, "component": {"enum": list(COMPONENTS)},
                    "engagement_id": o.NINT, "old": o.NINT, "new": o.NINT, "cause": {"enum": list(CAUSES)},
                    "note": o.NSTR})
    schemas = {
        "RatingsClient": o.obj(parts),
        "RatingsEngagement": o.obj({**parts, "engagement_id": o.INT, "engagement_status": o.NINT}),
        "RatingsValue": o.obj({"value": {"type": "integer", "description": "within min..max (default −100..100)"}},
                              ("value",), closed=True),
        "RatingsChange": change,
        "RatingsRule": rule,
        "RatingsRules": o.obj({"rules": {"type": "array", "items": o.ref("RatingsRule")}, "min": o.INT, "max": o.INT,
                               "recomputation": {"oneOf": [o.ref("RatingsRecomputation"), {"type": "null"}]}}),
        "RatingsRulesInput": o.obj({"rules": {"type": "array", "items": o.ref("RatingsRule")}}, ("rules",),
                                   closed=True),
        "RatingsRecomputation": run,
    }
    history = o.obj({"items": {"type": "array", "items": o.ref("RatingsChange")}, "total": o.INT, "limit": o.INT,
                     "offset": o.INT})
    client_id, write = o.path_id("client_id"), o.WRITE_ERRORS
    paths = {
        "/ratings/clients/{client_id}": {"get": o.op(
            "A client's ratings: Σ status, exhibition (of its engagement in that exhibition, else 0), personal, total",
            o.json(o.ref("RatingsClient")), params=client_id + [o.param("exhibition_id", o.INT)],
            errors=(401, 404, 422))},
        "/ratings/clients/{client_id}/personal": {"put": o.op(
            "Set the client's personal rating (planners, admins)", o.json(o.ref("RatingsClient")), body="RatingsValue",
            params=client_id, errors=write)},
        "/ratings/engagements/{engagement_id}": {"put": o.op(
            "Set the engagement's exhibition rating (planners, admins)", o.json(o.ref("RatingsEngagement")),
            body="RatingsValue", params=o.path_id("engagement_id"), errors=write)},
        "/ratings/clients/{client_id}/history": {"get": o.op(
            "Every change of the client's ratings, newest first", o.json(history),
            params=client_id + o.PAGING, errors=(401, 404, 422))},
        "/ratings/rules": {
            "get": o.op("The rule set: result → points", o.json(o.ref("RatingsRules")), errors=(401,)),
            "put": o.op("Replace the rule set and recompute every status rating (planners, admins)",
                        o.json(o.ref("RatingsRules")), body="RatingsRulesInput", errors=(400, 401, 403, 422))},
        "/ratings/recomputations/{recomputation_id}": {"get": o.op(
            "A recomputation's progress", o.json(o.ref("RatingsRecomputation")),
            params=o.path_id("recomputation_id"))},
    }
    return [ApiDoc(paths=paths, schemas=schemas)]
