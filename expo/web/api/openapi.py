"""/api/v1/openapi.json: the OpenAPI 3.1 description of every API route.

Built from small helpers so each path reads as one line; a test checks that every route the
blueprint serves is described here, so the document cannot drift silently.
"""
from __future__ import annotations

from flask import jsonify

from expo.core.models import ACTIVITY_KINDS, CATEGORIES, ENGAGEMENT_STATES, ROLES
from expo.web.api import bp

STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
MONEY = {"type": ["string", "null"], "pattern": r"^\d+(\.\d{1,2})?$", "description": "decimal string"}
DATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}


def obj(props: dict, required: tuple = ()) -> dict:
    return {"type": "object", "properties": props, "required": list(required)}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS = {
    "Error": obj({"error": obj({"code": STR, "message": STR, "fields": {"type": "object"}},
                               ("code", "message", "fields"))}, ("error",)),
    "Client": obj({"id": INT, "name": STR, "tax_id": NSTR, "region": NSTR, "industry": NSTR, "channel": NSTR,
                   "category": {"enum": list(CATEGORIES)}, "website": NSTR, "email": NSTR, "phone": NSTR,
                   "notes": NSTR, "manager_id": NINT, "created_at": TIME, "updated_at": TIME}),
    "ClientInput": obj({"name": STR, "tax_id": NSTR, "region": NSTR, "industry": NSTR, "channel": NSTR,
                        "category": {"enum": list(CATEGORIES)}, "website": NSTR, "email": NSTR,
                        "phone": NSTR, "notes": NSTR, "manager_id": NINT}, ("name",)),
    "Contact": obj({"id": INT, "client_id": INT, "name": STR, "position": NSTR, "phone": NSTR, "mobile": NSTR,
                    "email": NSTR, "birthday": DATE, "preferences": NSTR}),
    "ContactInput": obj({"name": STR, "position": NSTR, "phone": NSTR, "mobile": NSTR, "email": NSTR,
                         "birthday": DATE, "preferences": NSTR}, ("name",)),
    "Exhibition": obj({"id": INT, "name": STR, "venue": NSTR, "starts_on": DATE, "ends_on": DATE,
                       "sales_start_on": DATE, "sales_end_on": DATE}),
    "ExhibitionInput": obj({"name": STR, "venue": NSTR, "starts_on": DATE, "ends_on": DATE,
                            "sales_start_on": DATE, "sales_end_on": DATE}, ("name", "starts_on", "ends_on")),
    "Engagement": obj({"id": INT, "client_id": INT, "exhibition_id": INT, "scenario_id": NINT,
                       "manager_id": NINT, "state": {"enum": list(ENGAGEMENT_STATES)}, "step": NSTR,
                       "result": NSTR, "expected_amount": MONEY, "contract_amount": MONEY,
                       "opened_at": TIME, "closed_at": TIME, "version": INT}),
    "EngagementInput": obj({"client_id": INT, "exhibition_id": INT, "scenario_id": NINT, "manager_id": NINT,
                            "expected_amount": MONEY}, ("client_id", "exhibition_id")),
    "EngagementPatch": obj({"manager_id": NINT, "expected_amount": MONEY, "contract_amount": MONEY,
                            "version": {"type": "integer", "description": "reject if the engagement changed"}}),
    "Activity": obj({"id": INT, "client_id": INT, "engagement_id": NINT, "author_id": NINT,
                     "kind": {"enum": list(ACTIVITY_KINDS)}, "occurred_at": TIME, "text": STR}),
    "ActivityInput": obj({"kind": {"enum": list(ACTIVITY_KINDS)}, "text": STR, "engagement_id": NINT},
                         ("kind", "text")),
    "ScenarioDefinition": {"type": "object", "description": "the scenario JSON of DESIGN.md",
                           "properties": {"name": STR, "steps": {"type": "array"}, "results": {"type": "array"}},
                           "required": ["name", "steps", "results"]},
    "Scenario": obj({"id": INT, "lineage_id": INT, "version": INT, "is_current": {"type": "boolean"},
                     "is_default": {"type": "boolean"}, "definition": ref("ScenarioDefinition")}),
    "OutcomeInput": obj({"outcome": STR, "version": {"type": "integer", "description": "reject if changed"}},
                        ("outcome",)),
    "StepLogEntry": obj({"step": STR, "entered_at": TIME, "entered_by_id": NINT, "left_at": TIME, "left_by_id": NINT,
                         "outcome": NSTR, "result": NSTR, "result_kind": NSTR, "result_reason": NSTR}),
    "Task": obj({"id": INT, "assignee_id": NINT, "client_id": NINT, "engagement_id": NINT, "title": STR,
                 "instructions": NSTR, "due_on": DATE, "hard_deadline": {"type": "boolean"}, "escalate_to": NSTR,
                 "done_at": TIME, "cancelled_at": TIME, "escalated_at": TIME}),
    "ReportInput": obj({"sections": {"type": "array", "items": STR}, "period": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                        "exhibition_id": NINT, "manager_id": NINT, "title": STR}, ("sections", "period")),
    "Report": obj({"id": INT, "title": STR, "period": STR, "sections": {"type": "array", "items": STR},
                   "filters": {"type": "object"}, "state": {"enum": ["queued", "running", "done", "failed"]},
                   "error": NSTR, "created_at": TIME, "finished_at": TIME}),
    "ReportQueued": obj({"id": INT, "state": STR}),
    "Section": obj({"key": STR, "title": STR}),
    "Subscription": obj({"id": INT, "name": STR, "sections": {"type": "array", "items": STR}, "filters": {"type": "object"},
                         "recipient_user_ids": {"type": "array", "items": INT},
                         "recipient_emails": {"type": "array", "items": STR},
                         "frequency": {"enum": ["weekly", "monthly"]}, "weekday": NINT, "day": NINT, "at_time": STR,
                         "starts_on": DATE, "active": {"type": "boolean"}, "deliveries": {"type": "array"}}),
    "SubscriptionInput": obj({"name": STR, "sections": {"type": "array", "items": STR}, "exhibition_id": NINT,
                              "manager_id": NINT, "recipient_user_ids": {"type": "array", "items": INT},
                              "recipient_emails": {"type": "array", "items": STR},
                              "frequency": {"enum": ["weekly", "monthly"]}, "weekday": NINT, "day": NINT,
                              "at_time": STR, "starts_on": DATE, "active": {"type": "boolean"}},
                             ("name", "sections", "frequency")),
    "User": obj({"id": INT, "email": STR, "name": STR, "role": {"enum": list(ROLES)}, "active": {"type": "boolean"}}),
}


def _errors(*statuses: int) -> dict:
    return {str(s): {"description": "error", "content": {"application/json": {"schema": ref("Error")}}}
            for s in statuses}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(name: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(name)}, "total": INT, "limit": INT, "offset": INT})


def _param(name: str, schema: dict, where: str = "query", description: str = "") -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": schema,
            "description": description}


PAGING = [_param("limit", INT, description="1–200, default 50"), _param("offset", INT)]


def op(summary: str, ok: dict, status: int = 200, body: str | None = None, params: list | None = None,
       errors: tuple = (401, 404)) -> dict:
    operation = {"summary": summary, "parameters": params or [], "responses": {str(status): ok, **_errors(*errors)}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    return operation


def _path_id(name: str) -> list:
    return [_param(name, INT, "path")]


NO_CONTENT = {"description": "deleted"}
CLIENT_FILTERS = [_param(k, STR) for k in ("q", "region", "industry", "channel", "category")] + [
    _param("manager_id", INT), _param("sort", STR, description="name, created_at, region, …; '-' for descending"),
]
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)

PATHS = {
    "/users": {"get": op("List users (planners, admins)", _json(_list_of("User")), errors=(401, 403))},
    "/clients": {
        "get": op("List clients", _json(_list_of("Client")), params=CLIENT_FILTERS + PAGING, errors=(401, 422)),
        "post": op("Create a client", _json(ref("Client"), "created"), 201, "ClientInput", errors=WRITE_ERRORS),
    },
    "/clients/{client_id}": {
        "get": op("Get a client", _json(ref("Client")), params=_path_id("client_id")),
        "patch": op("Change a client", _json(ref("Client")), body="ClientInput", params=_path_id("client_id"),
                    errors=WRITE_ERRORS),
        "delete": op("Delete a client (needs clients.delete)", NO_CONTENT, 204, params=_path_id("client_id"),
                     errors=(401, 403, 404)),
    },
    "/clients/{client_id}/contacts": {
        "get": op("A client's contacts", _json(_list_of("Contact")), params=_path_id("client_id")),
        "post": op("Add a contact", _json(ref("Contact"), "created"), 201, "ContactInput",
                   _path_id("client_id"), WRITE_ERRORS),
    },
    "/contacts/{contact_id}": {
        "get": op("Get a contact", _json(ref("Contact")), params=_path_id("contact_id")),
        "patch": op("Change a contact", _json(ref("Contact")), body="ContactInput", params=_path_id("contact_id"),
                    errors=WRITE_ERRORS),
        "delete": op("Delete a contact", NO_CONTENT, 204, params=_path_id("contact_id"), errors=(401, 403, 404)),
    },
    "/clients/{client_id}/activities": {
        "get": op("A client's activity history", _json(_list_of("Activity")), params=_path_id("client_id") + PAGING),
        "post": op("Log an activity", _json(ref("Activity"), "created"), 201, "ActivityInput",
                   _path_id("client_id"), WRITE_ERRORS),
    },
    "/exhibitions": {
        "get": op("List exhibitions", _json(_list_of("Exhibition")), params=PAGING, errors=(401, 422)),
        "post": op("Create an exhibition (planners, admins)", _json(ref("Exhibition"), "created"), 201,
                   "ExhibitionInput", errors=WRITE_ERRORS),
    },
    "/exhibitions/{exhibition_id}": {
        "get": op("Get an exhibition", _json(ref("Exhibition")), params=_path_id("exhibition_id")),
        "patch": op("Change an exhibition", _json(ref("Exhibition")), body="ExhibitionInput",
                    params=_path_id("exhibition_id"), errors=WRITE_ERRORS),
    },
    "/engagements": {
        "get": op("List engagements", _json(_list_of("Engagement")),
                  params=[_param(k, INT) for k in ("client_id", "exhibition_id", "manager_id")]
                  + [_param("state", {"enum": list(ENGAGEMENT_STATES)})] + PAGING, errors=(401, 422)),
        "post": op("Open an engagement", _json(ref("Engagement"), "created"), 201, "EngagementInput",
                   errors=WRITE_ERRORS),
    },
    "/engagements/{engagement_id}": {
        "get": op("Get an engagement", _json(ref("Engagement")), params=_path_id("engagement_id")),
        "patch": op("Change manager or amounts", _json(ref("Engagement")), body="EngagementPatch",
                    params=_path_id("engagement_id"), errors=WRITE_ERRORS),
    },
    "/engagements/{engagement_id}/outcome": {
        "post": op("Leave the current step through an outcome", _json(ref("Engagement")), body="OutcomeInput",
                   params=_path_id("engagement_id"), errors=WRITE_ERRORS)},
    "/engagements/{engagement_id}/history": {
        "get": op("The engagement's step log", _json(_list_of("StepLogEntry")), params=_path_id("engagement_id"))},
    "/scenarios": {
        "get": op("Current scenarios", _json(_list_of("Scenario")), errors=(401,)),
        "post": op("Create a scenario (planners, admins)", _json(ref("Scenario"), "created"), 201,
                   "ScenarioDefinition", errors=WRITE_ERRORS)},
    "/scenarios/{scenario_id}": {"get": op("A scenario version", _json(ref("Scenario")), params=_path_id("scenario_id"))},
    "/tasks": {"get": op("My open tasks", _json(_list_of("Task")), params=PAGING, errors=(401, 422))},
    "/reports/sections": {"get": op("Report section keys", _json(_list_of("Section")), errors=(401, 403))},
    "/reports": {"post": op("Generate a report (a job)", _json(ref("ReportQueued"), "queued"), 202, "ReportInput",
                            errors=(400, 401, 403, 422, 503))},
    "/reports/{report_id}": {"get": op("A report's state", _json(ref("Report")), params=_path_id("report_id"))},
    "/reports/{report_id}/pdf": {"get": op("The report's PDF", {"description": "application/pdf"},
                                           params=_path_id("report_id"))},
    "/reports/subscriptions": {
        "get": op("Report subscriptions", _json(_list_of("Subscription")), errors=(401, 403)),
        "post": op("Create a subscription", _json(ref("Subscription"), "created"), 201, "SubscriptionInput",
                   errors=WRITE_ERRORS)},
    "/reports/subscriptions/{subscription_id}": {
        "get": op("A subscription with its recent deliveries", _json(ref("Subscription")),
                  params=_path_id("subscription_id")),
        "patch": op("Change a subscription", _json(ref("Subscription")), body="SubscriptionInput",
                    params=_path_id("subscription_id"), errors=WRITE_ERRORS),
        "delete": op("Delete a subscription", NO_CONTENT, 204, params=_path_id("subscription_id"),
                     errors=(401, 403, 404))},
    "/reports/subscriptions/{subscription_id}/send": {
        "post": op("Send it now", _json(obj({"occurrence": STR, "state": STR}), "queued"), 202,
                   params=_path_id("subscription_id"), errors=(401, 403, 404, 503))},
    "/openapi.json": {"get": {"summary": "This document", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
}


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Expo API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
