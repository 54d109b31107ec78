"""/api/v1/openapi.json: the OpenAPI 3.1 description of every API route.

Built from small helpers so each path reads as one line; a test checks that every route the
blueprint serves is described here, and a schemathesis run (tests/test_api_fuzzing.py) checks
that the API keeps to it: every status a route answers is listed, inputs carry the limits the
services enforce (ids, lengths, the control-character rule, unknown fields refused).
"""
from __future__ import annotations

import re

from flask import jsonify

from expo.core.models import ACTIVITY_KINDS, CATEGORIES, ENGAGEMENT_STATES, ROLES, SYSTEM
from expo.core.plugins import collect, registered
from expo.core.queries import MAX_LIMIT
from expo.core.validation import MAX_ID
from expo.web.api import bp

# --- values ---------------------------------------------------------------------------------------
STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
MONEY = {"type": ["string", "null"], "pattern": r"^[0-9]+\.[0-9]{2}$", "description": "decimal string"}
DATE = {"type": ["string", "null"], "format": "date"}
TIME = {"type": ["string", "null"], "format": "date-time"}

# What the services accept (expo.core.validation): no control characters (no line breaks in one-line
# fields), lengths counted as sent, blank optional fields stored as null.
_LINE = r"\u0000-\u0008\u000a-\u001f\u007f-\u009f"
_TEXT = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"


def line(max_len: int, required: bool = False) -> dict:
    """One line of text; a required one has a non-blank character."""
    if required:
        return {"type": "string", "minLength": 1, "maxLength": max_len,
                "pattern": rf"^[^{_LINE}]*[^\s{_LINE}][^{_LINE}]*$"}
    return {"type": ["string", "null"], "maxLength": max_len, "pattern": rf"^[^{_LINE}]*$"}


def text(max_len: int, required: bool = False) -> dict:
    """Text that may span lines."""
    if required:
        return {"type": "string", "minLength": 1, "maxLength": max_len,
                "pattern": rf"^[^{_TEXT}]*[^\s{_TEXT}][^{_TEXT}]*$"}
    return {"type": ["string", "null"], "maxLength": max_len, "pattern": rf"^[^{_TEXT}]*$"}


def ref_id(nullable: bool = True) -> dict:
    """The id of another object: an integer (forms send it as a string of digits, which is taken too)."""
    kinds = [ID, {"type": "string", "pattern": r"^\s*[1-9][0-9]{0,9}\s*$"}] + ([{"type": "null"}] if nullable else [])
    return {"anyOf": kinds}


IN_MONEY = {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"},
                      {"type": "string", "description": "ASCII digits, optional spaces between thousands, one "
                       "decimal separator (. or ,): 1 500 000,50",
                       "pattern": "^\\s*(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?\\s*$"}]}
IN_DATE = {"type": ["string", "null"], "pattern": r"^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\s*$",
           "description": "YYYY-MM-DD, years 1900 to 2100"}
EMAIL = {"type": ["string", "null"], "maxLength": 254}
WEBSITE = {"type": ["string", "null"], "maxLength": 300, "description": "http(s)://…; a bare host gets https://"}
TAX_ID = {"type": ["string", "null"], "pattern": r"^\s*(?:[0-9]{10}|[0-9]{12})\s*$|^\s*$"}


def obj(props: dict, required: tuple = (), closed: bool = False) -> dict:
    schema = {"type": "object", "properties": props, "required": list(required)}
    if closed:
        schema["additionalProperties"] = False  # the API answers 422 "Unknown field."
    return schema


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


CLIENT_IN = {"name": line(200, True), "tax_id": TAX_ID, "region": line(100), "industry": line(100),
             "channel": line(100), "category": {"enum": list(CATEGORIES)}, "website": WEBSITE, "email": EMAIL,
             "phone": line(50), "notes": text(5000), "manager_id": ref_id()}
CONTACT_IN = {"name": line(200, True), "position": line(200), "phone": line(50), "mobile": line(50), "email": EMAIL,
              "birthday": IN_DATE, "preferences": text(2000)}
EXHIBITION_IN = {"name": line(200, True), "venue": line(200), "starts_on": {**IN_DATE, "type": "string"},
                 "ends_on": {**IN_DATE, "type": "string"}, "sales_start_on": IN_DATE, "sales_end_on": IN_DATE}
SUBSCRIPTION_IN = {"name": line(200, True), "sections": {"type": "array", "items": STR, "minItems": 1},
                   "exhibition_id": ref_id(), "manager_id": ref_id(),
                   "recipient_user_ids": {"type": "array", "items": ref_id(False), "maxItems": 50},
                   "recipient_emails": {"type": "array", "items": STR, "maxItems": 50},
                   "frequency": {"enum": ["weekly", "monthly"]},
                   "weekday": {"description": "0 (Monday) to 6, for weekly", "anyOf": [
                       {"type": "integer", "minimum": 0, "maximum": 6}, {"type": "string", "pattern": "^[0-6]$"},
                       {"type": "null"}]},
                   "day": {"description": "1 to 28, for monthly", "anyOf": [
                       {"type": "integer", "minimum": 1, "maximum": 28},
                       {"type": "string", "pattern": "^([1-9]|1[0-9]|2[0-8])$"}, {"type": "null"}]},
                   "at_time": {"type": ["string", "null"], "pattern": r"^(([01][0-9]|2[0-3]):[0-5][0-9])?$"},
                   "starts_on": IN_DATE,
                   "active": {"anyOf": [BOOL, {"enum": ["on", "true", "false", "0", "1"]}]}}

SCHEMAS = {
    "Error": obj({"error": obj({"code": STR, "message": STR, "fields": {"type": "object"}},
                               ("code", "message", "fields"))}, ("error",)),
    "Client": obj({"id": INT, "name": STR, "tax_id": NSTR, "region": NSTR, "industry": NSTR, "channel": NSTR,
                   "category": {"enum": list(CATEGORIES)}, "website": NSTR, "email": NSTR, "phone": NSTR,
                   "notes": NSTR, "manager_id": NINT, "created_at": TIME, "updated_at": TIME}),
    "ClientInput": obj(CLIENT_IN, ("name",), closed=True),
    "ClientPatch": obj(CLIENT_IN, closed=True),
    "Contact": obj({"id": INT, "client_id": INT, "name": STR, "position": NSTR, "phone": NSTR, "mobile": NSTR,
                    "email": NSTR, "birthday": DATE, "preferences": NSTR}),
    "ContactInput": obj(CONTACT_IN, ("name",), closed=True),
    "ContactPatch": obj(CONTACT_IN, closed=True),
    "Exhibition": obj({"id": INT, "name": STR, "venue": NSTR, "starts_on": DATE, "ends_on": DATE,
                       "sales_start_on": DATE, "sales_end_on": DATE}),
    "ExhibitionInput": obj(EXHIBITION_IN, ("name", "starts_on", "ends_on"), closed=True),
    "ExhibitionPatch": obj(EXHIBITION_IN, closed=True),
    "Engagement": obj({"id": INT, "client_id": INT, "exhibition_id": INT, "scenario_id": NINT,
                       "manager_id": NINT, "state": {"enum": list(ENGAGEMENT_STATES)}, "step": NSTR,
                       "result": NSTR, "expected_amount": MONEY, "contract_amount": MONEY,
                       "opened_at": TIME, "closed_at": TIME, "version": INT}),
    "EngagementInput": obj({"client_id": ref_id(False), "exhibition_id": ref_id(False), "scenario_id": ref_id(),
                            "manager_id": ref_id(), "expected_amount": IN_MONEY}, ("client_id", "exhibition_id"),
                           closed=True),
    "EngagementPatch": obj({"manager_id": ref_id(), "expected_amount": IN_MONEY, "contract_amount": IN_MONEY,
                            "version": {"type": ["integer", "null"], "description": "reject if the engagement changed"}},
                           closed=True),
    "Activity": obj({"id": INT, "client_id": INT, "engagement_id": NINT, "author_id": NINT,
                     "kind": {"enum": list(ACTIVITY_KINDS)}, "occurred_at": TIME, "text": STR}),
    "ActivityInput": obj({"kind": {"enum": list(ACTIVITY_KINDS)}, "text": text(10000, True),
                          "engagement_id": ref_id()}, ("kind", "text"), closed=True),
    "ScenarioDefinition": {"type": "object", "description": "the scenario JSON of DESIGN.md",
                           "properties": {"name": text(200, True), "steps": {"type": "array", "minItems": 1},
                                          "results": {"type": "array", "minItems": 1}},
                           "required": ["name", "steps", "results"]},
    "Scenario": obj({"id": INT, "lineage_id": INT, "version": INT, "is_current": BOOL, "is_default": BOOL,
                     "definition": ref("ScenarioDefinition")}),
    "OutcomeInput": obj({"outcome": {"type": "string", "minLength": 1},
                         "version": {"type": ["integer", "null"], "description": "reject if changed"},
                         "comment": {**text(2000), "description": "why; kept in the step log"},
                         "contract_amount": {**IN_MONEY, "description": "only for an outcome that closes; "
                                             "required (> 0) when its result requires the amount and the "
                                             "engagement has none yet"}}, ("outcome",),
                        closed=True),
    "ReopenInput": obj({"version": {"type": ["integer", "null"], "description": "reject if changed"}}, closed=True),
    "StepLogEntry": obj({"step": STR, "entered_at": TIME, "entered_by_id": NINT, "left_at": TIME, "left_by_id": NINT,
                         "outcome": NSTR, "result": NSTR, "result_kind": NSTR, "result_reason": NSTR,
                         "comment": NSTR}),
    "Task": obj({"id": INT, "assignee_id": NINT, "client_id": NINT, "engagement_id": NINT, "title": STR,
                 "instructions": NSTR, "due_on": DATE, "hard_deadline": BOOL, "escalate_to": NSTR,
                 "done_at": TIME, "cancelled_at": TIME, "escalated_at": TIME}),
    "ReportInput": obj({"sections": {"type": "array", "items": STR, "minItems": 1},
                        "period": {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$"},
                        "exhibition_id": ref_id(), "manager_id": ref_id(), "title": line(200)},
                       ("sections", "period"), closed=True),
    "Report": obj({"id": INT, "title": STR, "period": STR, "sections": {"type": "array", "items": STR},
                   "filters": {"type": "object"}, "state": {"enum": ["queued", "running", "done", "failed"]},
                   "error": NSTR, "created_at": TIME, "finished_at": TIME}),
    "ReportQueued": obj({"id": INT, "state": STR}, ("id", "state")),
    "Section": obj({"key": STR, "title": STR}),
    "Delivery": obj({"id": INT, "occurrence": STR, "period": STR, "state": {"enum": ["sending", "sent", "failed"]},
                     "error": NSTR, "attempts": INT, "sent_at": TIME, "report_id": NINT}),
    "Subscription": obj({"id": INT, "name": STR, "sections": {"type": "array", "items": STR},
                         "filters": {"type": "object"}, "recipient_user_ids": {"type": "array", "items": INT},
                         "recipient_emails": {"type": "array", "items": STR},
                         "frequency": {"enum": ["weekly", "monthly"]}, "weekday": NINT, "day": NINT, "at_time": STR,
                         "starts_on": DATE, "active": BOOL,
                         "deliveries": {"type": "array", "items": ref("Delivery")}}),
    "SubscriptionInput": obj(SUBSCRIPTION_IN, ("name", "sections", "frequency"), closed=True),
    "SubscriptionPatch": obj(SUBSCRIPTION_IN, closed=True),
    "ImportResult": obj({"counts": obj({k: INT for k in ("new", "update", "duplicate", "invalid")}),
                         "dry_run": BOOL,
                         "rows": {"type": "array", "items": obj({
                             "row": INT, "status": {"enum": ["new", "update", "duplicate", "invalid"]},
                             "errors": {"type": "object", "additionalProperties": STR}, "client_id": NINT})}}),
    "DeletedClient": obj({"id": INT, "name": STR, "tax_id": NSTR, "deleted_at": TIME, "deleted_by": NSTR,
                          "purge_on": DATE}),
    "User": obj({"id": INT, "email": STR, "name": STR, "role": {"enum": list(ROLES)}, "active": BOOL}),
}

ERRORS = {400: "bad request: the body is not a JSON object, or a query holds a NUL",
          401: "no token, or an unknown, expired or revoked one",
          403: "the role or rights do not allow it", 404: "no such object, or one the caller may not see",
          409: "clashes with existing data or a concurrent change", 413: "the upload is larger than allowed",
          422: "invalid fields (see error.fields)",
          503: "the database, or the job queue (Redis), is unavailable: try again shortly"}


def _errors(*statuses: int) -> dict:
    return {str(s): {"description": ERRORS[s], "content": {"application/json": {"schema": ref("Error")}}}
            for s in statuses}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _list_of(name: str) -> dict:
    return obj({"items": {"type": "array", "items": ref(name)}, "total": INT, "limit": INT, "offset": INT},
               ("items", "total", "limit", "offset"))


def _cursor_list_of(name: str) -> dict:
    """A list that also pages by cursor: ``next_cursor`` reads the next page (null on the last)."""
    listed = _list_of(name)
    listed["properties"]["next_cursor"] = NSTR
    listed["required"] = [*listed["required"], "next_cursor"]
    return listed


def _param(name: str, schema: dict, where: str = "query", description: str = "") -> dict:
    return {"name": name, "in": where, "required": where == "path", "schema": schema,
            "description": description}


PAGING = [_param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, description="default 50"),
          _param("offset", {"type": "integer", "minimum": 0, "maximum": 10**9})]


def op(summary: str, ok: dict, status: int = 200, body: str | None = None, params: list | None = None,
       errors: tuple = (401, 404)) -> dict:
    # Everywhere: 400 for a NUL anywhere in the query, 422 for a query parameter the operation does
    # not declare (refused like an unknown field), 503 while the database (or, for jobs, Redis) is
    # unreachable.
    errors = tuple(sorted({*errors, 400, 422, 503}))
    operation = {"summary": summary, "parameters": params or [], "responses": {str(status): ok, **_errors(*errors)}}
    if body:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(body)}}}
    return operation


def _path_id(name: str) -> list:
    return [_param(name, ID, "path")]


NO_CONTENT = {"description": "deleted"}
CLIENT_FILTERS = [_param(k, STR) for k in ("q", "region", "industry", "channel", "category")] + [
    _param("manager_id", ID), _param("sort", STR, description="name, created_at, region, …; '-' for descending"),
]
# Bodies: 400 (not a JSON object), 401, 403 (role), 404 (path object), 409 (clash), 422 (fields).
WRITE = (400, 401, 403, 404, 409, 422)
CREATE = (400, 401, 403, 409, 422)
LIST = (400, 401, 422)  # 400: a NUL in the query; 422: a bad filter or paging value
MANAGEMENT = (401, 403)  # reports, subscriptions and the user list are not for client-managers

PATHS = {
    "/users": {"get": op("List users (planners, admins)", _json(_list_of("User")), errors=MANAGEMENT)},
    "/clients": {
        "get": op("List clients", _json(_cursor_list_of("Client")), errors=LIST, params=CLIENT_FILTERS + PAGING + [
            _param("cursor", STR, description="a page's next_cursor: the page after it, read by keyset at any depth "
                                              "(with the same sort; offset is then ignored)")]),
        "post": op("Create a client", _json(ref("Client"), "created"), 201, "ClientInput", errors=CREATE),
    },
    "/clients/export": {"get": op(
        "The filtered client list as a file (needs clients.export; audited)",
        {"description": "text/csv or .xlsx"}, params=[_param("format", {"enum": ["csv", "xlsx"]})] + CLIENT_FILTERS,
        errors=(401, 403, 422))},
    "/clients/deleted": {"get": op("Deleted clients still restorable (admins)", _json(_list_of("DeletedClient")),
                                   params=PAGING, errors=(401, 403, 422))},
    "/clients/{client_id}/restore": {"post": op("Restore a deleted client (admins)", _json(ref("Client")),
                                                params=_path_id("client_id"), errors=(401, 403, 404))},
    "/imports": {"post": {
        "summary": "Import clients or sales from an .xlsx or .csv file: a dry run, or a commit (planners, admins)",
        "parameters": [],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": obj({
            "file": {"type": "string", "format": "binary"},
            "dry_run": {"type": "string", "enum": ["true", "false"], "description": "default true"},
            "kind": {"type": "string", "enum": ["clients", "sales"], "description": "default clients"},
            "mapping": {"type": "string", "description": "JSON {field: column number or header}; default: "
                                                        "the header auto-mapped"}}, ("file",))}}},
        "responses": {"200": _json(ref("ImportResult"), "dry run"), "201": _json(ref("ImportResult"), "committed"),
                      **_errors(400, 401, 403, 413, 422, 503)}}},
    "/clients/{client_id}": {
        "get": op("Get a client", _json(ref("Client")), params=_path_id("client_id")),
        "patch": op("Change a client", _json(ref("Client")), body="ClientPatch", params=_path_id("client_id"),
                    errors=WRITE),
        "delete": op("Delete a client, restorable by admins for 30 days (needs clients.delete)", NO_CONTENT, 204,
                     params=_path_id("client_id"),
                     errors=(401, 403, 404)),
    },
    "/clients/{client_id}/contacts": {
        "get": op("A client's contacts", _json(_list_of("Contact")), params=_path_id("client_id")),
        "post": op("Add a contact", _json(ref("Contact"), "created"), 201, "ContactInput",
                   _path_id("client_id"), WRITE),
    },
    "/contacts/{contact_id}": {
        "get": op("Get a contact", _json(ref("Contact")), params=_path_id("contact_id")),
        "patch": op("Change a contact", _json(ref("Contact")), body="ContactPatch", params=_path_id("contact_id"),
                    errors=WRITE),
        "delete": op("Delete a contact", NO_CONTENT, 204, params=_path_id("contact_id"), errors=(401, 403, 404)),
    },
    "/clients/{client_id}/activities": {
        "get": op("A client's activity history (notes of engagements the caller may not see are left out)",
                  _json(_list_of("Activity")), params=_path_id("client_id") + PAGING, errors=(*LIST, 404)),
        "post": op("Log an activity", _json(ref("Activity"), "created"), 201, "ActivityInput",
                   _path_id("client_id"), WRITE),
    },
    "/exhibitions": {
        "get": op("List exhibitions", _json(_list_of("Exhibition")), params=PAGING, errors=LIST),
        "post": op("Create an exhibition (planners, admins)", _json(ref("Exhibition"), "created"), 201,
                   "ExhibitionInput", errors=CREATE),
    },
    "/exhibitions/{exhibition_id}": {
        "get": op("Get an exhibition", _json(ref("Exhibition")), params=_path_id("exhibition_id")),
        "patch": op("Change an exhibition", _json(ref("Exhibition")), body="ExhibitionPatch",
                    params=_path_id("exhibition_id"), errors=WRITE),
    },
    "/engagements": {
        "get": op("List engagements", _json(_list_of("Engagement")),
                  params=[_param(k, ID) for k in ("client_id", "exhibition_id", "manager_id")]
                  + [_param("state", {"enum": list(ENGAGEMENT_STATES)})] + PAGING, errors=LIST),
        "post": op("Open an engagement", _json(ref("Engagement"), "created"), 201, "EngagementInput",
                   errors=CREATE),
    },
    "/engagements/{engagement_id}": {
        "get": op("Get an engagement", _json(ref("Engagement")), params=_path_id("engagement_id")),
        "patch": op("Change manager or amounts", _json(ref("Engagement")), body="EngagementPatch",
                    params=_path_id("engagement_id"), errors=WRITE),
    },
    "/engagements/{engagement_id}/outcome": {
        "post": op("Leave the current step through an outcome", _json(ref("Engagement")), body="OutcomeInput",
                   params=_path_id("engagement_id"), errors=WRITE)},
    "/engagements/{engagement_id}/reopen": {
        "post": op("Open a closed engagement again (planners, admins)", _json(ref("Engagement")), body="ReopenInput",
                   params=_path_id("engagement_id"), errors=WRITE)},
    "/engagements/{engagement_id}/history": {
        "get": op("The engagement's step log", _json(_list_of("StepLogEntry")), params=_path_id("engagement_id"))},
    "/scenarios": {
        "get": op("Current scenarios", _json(_list_of("Scenario")), errors=(401,)),
        "post": op("Create a scenario (planners, admins)", _json(ref("Scenario"), "created"), 201,
                   "ScenarioDefinition", errors=CREATE)},
    "/scenarios/{scenario_id}": {"get": op("A scenario version", _json(ref("Scenario")), params=_path_id("scenario_id"))},
    "/tasks": {"get": op("My open tasks", _json(_list_of("Task")), params=PAGING, errors=LIST)},
    "/reports/sections": {"get": op("Report section keys", _json(_list_of("Section")), errors=MANAGEMENT)},
    "/reports": {"post": op("Generate a report (a job)", _json(ref("ReportQueued"), "queued"), 202, "ReportInput",
                            errors=(400, 401, 403, 422, 503))},
    "/reports/{report_id}": {"get": op("A report's state", _json(ref("Report")), params=_path_id("report_id"))},
    "/reports/{report_id}/pdf": {"get": op("The report's PDF (404 until it is done)",
                                           {"description": "the PDF", "content": {"application/pdf": {
                                               "schema": {"type": "string", "format": "binary"}}}},
                                           params=_path_id("report_id"))},
    "/reports/subscriptions": {
        "get": op("Report subscriptions", _json(_list_of("Subscription")), errors=MANAGEMENT),
        "post": op("Create a subscription (planners, admins)", _json(ref("Subscription"), "created"), 201,
                   "SubscriptionInput", errors=CREATE)},
    "/reports/subscriptions/{subscription_id}": {
        "get": op("A subscription with its recent deliveries", _json(ref("Subscription")),
                  params=_path_id("subscription_id"), errors=(401, 403, 404)),
        "patch": op("Change a subscription (planners, admins)", _json(ref("Subscription")), body="SubscriptionPatch",
                    params=_path_id("subscription_id"), errors=WRITE),
        "delete": op("Delete a subscription (planners, admins)", NO_CONTENT, 204, params=_path_id("subscription_id"),
                     errors=(401, 403, 404))},
    "/reports/subscriptions/{subscription_id}/send": {
        "post": op("Send it now (planners, admins)", _json(obj({"occurrence": STR, "state": STR}), "queued"), 202,
                   params=_path_id("subscription_id"), errors=(401, 403, 404, 503))},
    "/openapi.json": {"get": {"summary": "This document", "security": [],
                              "responses": {"200": {"description": "OpenAPI 3.1 document",
                                                    "content": {"application/json": {"schema": {"type": "object"}}}}}}},
}


# Bodies that take the client list's plugin filters as report filters.
REPORT_BODIES = ("ReportInput", "SubscriptionInput", "SubscriptionPatch")
# Lists whose GET takes the filters plugins add (``list_filters``), by path and list name.
PLUGIN_FILTERED = {"/clients": "clients", "/clients/export": "clients"}


def plugin_filter_params(path: str, user) -> list:
    """The query parameters the enabled plugins' ``list_filters`` add to the list at ``path``."""
    list_name = PLUGIN_FILTERED.get(path)
    if list_name is None:
        return []
    return [_param(f.key, {"enum": [str(value) for value, _label in f.choices]}, description=str(f.label))
            for f in collect("list_filters", list_name=list_name, user=user)]


def _path_of(rule: str) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix(bp.url_prefix))


def declared_query(rule: str, method: str, user) -> dict[str, dict]:
    """``{name: schema}`` of the query parameters the document declares for a Flask rule
    (``/api/v1/clients/<int:client_id>``), the plugins' list filters included."""
    path = _path_of(rule)
    described = PATHS.get(path) or next((doc.paths[path] for doc in registered("register_api_docs")
                                         if path in doc.paths), {})
    operation = described.get(method.lower(), {})
    params = list(operation.get("parameters", []))
    if method == "GET":
        params += plugin_filter_params(path, user)
    return {p["name"]: p["schema"] for p in params if p["in"] == "query"}


def document() -> dict:
    """The core's paths and schemas plus those of every enabled plugin (``register_api_docs``,
    and the filters ``list_filters`` adds to the client list)."""
    paths, schemas = dict(PATHS), dict(SCHEMAS)
    client_filters = {f.key: {"enum": [*(str(value) for value, _label in f.choices), "", None],
                              "description": str(f.label)}
                      for f in collect("list_filters", list_name="clients", user=SYSTEM)}
    for name in REPORT_BODIES:  # a report can be narrowed by the client list's filters too
        schemas[name] = {**schemas[name], "properties": {**schemas[name]["properties"], **client_filters}}
    for path in PLUGIN_FILTERED:
        extra = plugin_filter_params(path, SYSTEM)
        if extra:
            get = paths[path]["get"]
            paths[path] = {**paths[path], "get": {**get, "parameters": get["parameters"] + extra}}
    for doc in registered("register_api_docs"):
        paths.update(doc.paths)
        schemas.update(doc.schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Expo API", "version": "1"},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
