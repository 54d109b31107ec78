"""Every route's access rule in one table (issue 8): each registered route — pages, API, plugins —
is called as anonymous, viewer, manager (on their own object and on another manager's), planner
and admin, and must answer the status its row says. A route without a row fails the test.

Requests carry no useful input (an empty form or ``{}``): a role that may act gets as far as the
validation (422) or a harmless answer, a role that may not is stopped before (302 to the login
page, 401, 403, or 404 for objects it may not see). Nobody holds the extra rights
(``clients.export``, ``clients.delete``), so those routes answer 403 to every role.
Rows marked ``FRESH`` change what they touch (delete, complete, log out): they get new objects
and a new session for every call.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from expo.core import db
from expo.core.imports import runs as imports
from expo.core.models import SYSTEM, ApiToken, PickListItem, ReportDelivery, Task, User
from expo.core.reports import generate, subscriptions
from expo.core.services.users import issue_token, start_session
from expo.testing import DESIGN_EXAMPLE, csv_bytes, new_client, new_engagement, new_exhibition, new_scenario

ROLES = ("anonymous", "viewer", "manager_own", "manager_foreign", "planner", "admin")
FRESH = "fresh"

# (METHOD, rule as `expo routes` prints it): anonymous, viewer, manager on own object, manager on
# another's, planner, admin[, FRESH]
ROUTES: dict[tuple[str, str], tuple] = {
    # --- pages: a browser session; anonymous callers are sent to the login page (302) ------------------------
    ("GET", "/"):                                                               (302, 200, 200, 200, 200, 200),
    ("GET", "/admin/audit"):                                                    (302, 403, 403, 403, 403, 200),
    ("GET", "/admin/plugins"):                                                  (302, 403, 403, 403, 403, 200),
    ("POST", "/admin/tokens/<int:token_id>/revoke"):                            (302, 403, 403, 403, 403, 302),
    ("GET", "/admin/users"):                                                    (302, 403, 403, 403, 403, 200),
    # admin's user forms: posted empty they are refused (no role, no password, no active flag) and change nothing
    ("POST", "/admin/users"):                                                   (302, 403, 403, 403, 403, 422),
    ("GET", "/admin/users/<int:user_id>"):                                      (302, 403, 403, 403, 403, 200),
    ("POST", "/admin/users/<int:user_id>/access"):                              (302, 403, 403, 403, 403, 422),
    ("POST", "/admin/users/<int:user_id>/active"):                              (302, 403, 403, 403, 403, 400),
    ("POST", "/admin/users/<int:user_id>/password"):                            (302, 403, 403, 403, 403, 422),
    ("GET", "/clients/"):                                                       (302, 200, 200, 200, 200, 200),
    ("GET", "/clients/<int:client_id>"):                                        (302, 200, 200, 404, 200, 200),
    ("POST", "/clients/<int:client_id>/activities"):                            (302, 403, 422, 404, 422, 422),
    ("POST", "/clients/<int:client_id>/contacts"):                              (302, 403, 422, 404, 422, 422),
    ("POST", "/clients/<int:client_id>/contacts/<int:contact_id>/delete"):      (302, 403, 302, 404, 302, 302, FRESH),
    ("GET", "/clients/<int:client_id>/contacts/<int:contact_id>/delete"):       (302, 403, 200, 404, 200, 200),
    ("GET", "/clients/<int:client_id>/delete"):                                 (302, 403, 403, 404, 403, 403),
    ("POST", "/clients/<int:client_id>/delete"):                                (302, 403, 403, 404, 403, 403),
    ("GET", "/clients/<int:client_id>/edit"):                                   (302, 403, 200, 404, 200, 200),
    ("POST", "/clients/<int:client_id>/edit"):                                  (302, 403, 302, 404, 302, 302),
    ("GET", "/admin/deleted-clients"):                                          (302, 403, 403, 403, 403, 200),
    ("POST", "/admin/deleted-clients/restore"):                                 (302, 403, 403, 403, 403, 302),
    # pick-lists: admins only; an empty form is refused (no field, no value, no direction)
    ("GET", "/admin/pick-lists"):                                               (302, 403, 403, 403, 403, 200),
    ("POST", "/admin/pick-lists"):                                              (302, 403, 403, 403, 403, 422),
    ("POST", "/admin/pick-lists/<int:item_id>/move"):                           (302, 403, 403, 403, 403, 422),
    ("POST", "/admin/pick-lists/<int:item_id>/delete"):                         (302, 403, 403, 403, 403, 302, FRESH),
    ("GET", "/clients/delete"):                                                 (302, 403, 403, 403, 403, 403),
    ("POST", "/clients/delete"):                                                (302, 403, 403, 403, 403, 403),
    ("POST", "/clients/export"):                                                (302, 403, 403, 403, 403, 403),
    ("GET", "/exhibitions/<int:exhibition_id>/engagements"):                    (302, 200, 200, 200, 200, 200),
    ("GET", "/imports/"):                                                       (302, 403, 403, 403, 200, 200),
    ("POST", "/imports/"):                                                      (302, 403, 403, 403, 422, 422),
    ("GET", "/imports/<int:import_id>"):                                        (302, 403, 403, 403, 200, 200),
    ("POST", "/imports/<int:import_id>/commit"):                                (302, 403, 403, 403, 422, 422),
    ("POST", "/imports/<int:import_id>/mapping"):                               (302, 403, 403, 403, 422, 422),
    ("GET", "/imports/<int:import_id>/progress"):                               (302, 403, 403, 403, 200, 200),
    ("GET", "/imports/<int:import_id>/skipped"):                                (302, 403, 403, 403, 200, 200),
    ("GET", "/clients/new"):                                                    (302, 403, 200, 200, 200, 200),
    ("POST", "/clients/new"):                                                   (302, 403, 422, 422, 422, 422),
    ("POST", "/engagements/"):                                                  (302, 403, 422, 422, 422, 422),
    ("GET", "/engagements/<int:engagement_id>"):                                (302, 200, 200, 404, 200, 200),
    ("POST", "/engagements/<int:engagement_id>"):                               (302, 403, 302, 404, 302, 302),
    ("POST", "/engagements/<int:engagement_id>/activities"):                    (302, 403, 422, 404, 422, 422),
    ("GET", "/engagements/<int:engagement_id>/documents/<int:action_id>.<any(html, pdf):fmt>"):
        (302, 200, 200, 404, 200, 200),
    ("POST", "/engagements/<int:engagement_id>/outcome"):                       (302, 403, 422, 404, 422, 422),
    # the confirmation of an outcome that closes the engagement (it writes nothing)
    ("GET", "/engagements/<int:engagement_id>/outcomes/<outcome_key>"):         (302, 403, 200, 404, 200, 200),
    ("POST", "/engagements/<int:engagement_id>/reopen"):                        (302, 403, 403, 404, 409, 409),
    ("GET", "/exhibitions/"):                                                   (302, 200, 200, 200, 200, 200),
    ("GET", "/exhibitions/<int:exhibition_id>"):                                (302, 200, 200, 200, 200, 200),
    ("GET", "/exhibitions/<int:exhibition_id>/edit"):                           (302, 403, 403, 403, 200, 200),
    ("POST", "/exhibitions/<int:exhibition_id>/edit"):                          (302, 403, 403, 403, 302, 302),
    ("GET", "/exhibitions/new"):                                                (302, 403, 403, 403, 200, 200),
    ("POST", "/exhibitions/new"):                                               (302, 403, 403, 403, 422, 422),
    ("POST", "/locale"):                                                        (302, 302, 302, 302, 302, 302),
    ("GET", "/login"):                                                          (200, 200, 200, 200, 200, 200),
    ("POST", "/login"):                                                         (401, 401, 401, 401, 401, 401),
    ("POST", "/logout"):                                                        (302, 302, 302, 302, 302, 302, FRESH),
    ("GET", "/notifications"):                                                  (302, 200, 200, 200, 200, 200),
    ("POST", "/notifications/read"):                                            (302, 302, 302, 302, 302, 302),
    ("GET", "/reports/"):                                                       (302, 200, 403, 403, 200, 200),
    ("POST", "/reports/"):                                                      (302, 422, 403, 403, 422, 422),
    ("GET", "/reports/<int:report_id>/pdf"):                                    (302, 200, 403, 403, 200, 200),
    ("GET", "/reports/<int:report_id>/status"):                                 (302, 200, 403, 403, 200, 200),
    ("POST", "/reports/deliveries/<int:delivery_id>/resend"):                   (302, 403, 403, 403, 302, 302, FRESH),
    ("GET", "/reports/subscriptions/"):                                         (302, 200, 403, 403, 200, 200),
    ("POST", "/reports/subscriptions/"):                                        (302, 403, 403, 403, 422, 422),
    ("GET", "/reports/subscriptions/<int:subscription_id>"):                    (302, 200, 403, 403, 200, 200),
    ("POST", "/reports/subscriptions/<int:subscription_id>"):                   (302, 403, 403, 403, 422, 422),
    ("POST", "/reports/subscriptions/<int:subscription_id>/delete"):            (302, 403, 403, 403, 302, 302, FRESH),
    ("POST", "/reports/subscriptions/<int:subscription_id>/send"):              (302, 403, 403, 403, 302, 302),
    ("GET", "/scenarios/"):                                                     (302, 200, 200, 200, 200, 200),
    ("GET", "/scenarios/<int:scenario_id>"):                                    (302, 200, 200, 200, 200, 200),
    ("POST", "/scenarios/<int:scenario_id>/default"):                           (302, 403, 403, 403, 302, 302),
    # publishing: planners and admins; the shared scenario is already published, so it is refused
    ("POST", "/scenarios/<int:scenario_id>/publish"):                           (302, 403, 403, 403, 422, 422),
    ("GET", "/scenarios/<int:scenario_id>/edit"):                               (302, 403, 403, 403, 200, 200),
    ("POST", "/scenarios/<int:scenario_id>/edit"):                              (302, 403, 403, 403, 200, 200),
    ("GET", "/scenarios/<int:scenario_id>/export.json"):                        (302, 200, 200, 200, 200, 200),
    ("POST", "/scenarios/import"):                                              (302, 403, 403, 403, 422, 422),
    ("GET", "/scenarios/new"):                                                  (302, 403, 403, 403, 200, 200),
    ("POST", "/scenarios/new"):                                                 (302, 403, 403, 403, 200, 200),
    ("POST", "/scenarios/validate"):                                            (302, 403, 403, 403, 200, 200),
    ("GET", "/static/<path:filename>"):                                         (200, 200, 200, 200, 200, 200),
    ("GET", "/tasks"):                                                          (302, 200, 200, 200, 200, 200),
    ("POST", "/tasks/<int:task_id>/complete"):                                  (302, 403, 302, 404, 302, 302, FRESH),
    ("POST", "/tasks/<int:task_id>/undo"):                                      (302, 403, 409, 404, 409, 409),
    ("GET", "/vendor/htmx.min.js"):                                             (200, 200, 200, 200, 200, 200),
    # --- the JSON API: a bearer token; anonymous callers get 401 ------------------------------------------------
    ("GET", "/api/v1/clients"):                                                 (401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/clients"):                                                (401, 403, 422, 422, 422, 422),
    ("GET", "/api/v1/clients/<int:client_id>"):                                 (401, 200, 200, 404, 200, 200),
    ("POST", "/api/v1/clients/<int:client_id>/restore"):                        (401, 403, 403, 403, 403, 404),
    ("GET", "/api/v1/clients/deleted"):                                         (401, 403, 403, 403, 403, 200),
    ("GET", "/api/v1/clients/export"):                                          (401, 403, 403, 403, 403, 403),
    ("POST", "/api/v1/imports"):                                                (401, 403, 403, 403, 422, 422),
    ("PATCH", "/api/v1/clients/<int:client_id>"):                               (401, 403, 200, 404, 200, 200),
    ("DELETE", "/api/v1/clients/<int:client_id>"):                              (401, 403, 403, 404, 403, 403),
    ("GET", "/api/v1/clients/<int:client_id>/activities"):                      (401, 200, 200, 404, 200, 200),
    ("POST", "/api/v1/clients/<int:client_id>/activities"):                     (401, 403, 422, 404, 422, 422),
    ("GET", "/api/v1/clients/<int:client_id>/contacts"):                        (401, 200, 200, 404, 200, 200),
    ("POST", "/api/v1/clients/<int:client_id>/contacts"):                       (401, 403, 422, 404, 422, 422),
    ("GET", "/api/v1/contacts/<int:contact_id>"):                               (401, 200, 200, 404, 200, 200),
    ("PATCH", "/api/v1/contacts/<int:contact_id>"):                             (401, 403, 200, 404, 200, 200),
    ("DELETE", "/api/v1/contacts/<int:contact_id>"):                            (401, 403, 204, 404, 204, 204, FRESH),
    ("GET", "/api/v1/engagements"):                                             (401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/engagements"):                                            (401, 403, 422, 422, 422, 422),
    ("GET", "/api/v1/engagements/<int:engagement_id>"):                         (401, 200, 200, 404, 200, 200),
    ("PATCH", "/api/v1/engagements/<int:engagement_id>"):                       (401, 403, 200, 404, 200, 200),
    ("GET", "/api/v1/engagements/<int:engagement_id>/history"):                 (401, 200, 200, 404, 200, 200),
    ("POST", "/api/v1/engagements/<int:engagement_id>/outcome"):                (401, 403, 422, 404, 422, 422),
    ("POST", "/api/v1/engagements/<int:engagement_id>/reopen"):                 (401, 403, 403, 404, 409, 409),
    ("GET", "/api/v1/exhibitions"):                                             (401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/exhibitions"):                                            (401, 403, 403, 403, 422, 422),
    ("GET", "/api/v1/exhibitions/<int:exhibition_id>"):                         (401, 200, 200, 200, 200, 200),
    ("PATCH", "/api/v1/exhibitions/<int:exhibition_id>"):                       (401, 403, 403, 403, 200, 200),
    ("GET", "/api/v1/openapi.json"):                                            (200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/reports"):                                                (401, 422, 403, 403, 422, 422),
    ("GET", "/api/v1/reports/<int:report_id>"):                                 (401, 200, 404, 404, 200, 200),
    ("GET", "/api/v1/reports/<int:report_id>/pdf"):                             (401, 200, 404, 404, 200, 200),
    ("GET", "/api/v1/reports/sections"):                                        (401, 200, 403, 403, 200, 200),
    ("GET", "/api/v1/reports/subscriptions"):                                   (401, 200, 403, 403, 200, 200),
    ("POST", "/api/v1/reports/subscriptions"):                                  (401, 403, 403, 403, 422, 422),
    ("GET", "/api/v1/reports/subscriptions/<int:subscription_id>"):             (401, 200, 403, 403, 200, 200),
    ("PATCH", "/api/v1/reports/subscriptions/<int:subscription_id>"):           (401, 403, 403, 403, 200, 200),
    ("DELETE", "/api/v1/reports/subscriptions/<int:subscription_id>"):          (401, 403, 403, 403, 204, 204, FRESH),
    ("POST", "/api/v1/reports/subscriptions/<int:subscription_id>/send"):       (401, 403, 403, 403, 202, 202),
    ("GET", "/api/v1/scenarios"):                                               (401, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/scenarios"):                                              (401, 403, 403, 403, 422, 422),
    ("GET", "/api/v1/scenarios/<int:scenario_id>"):                             (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/tasks"):                                                   (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/users"):                                                   (401, 403, 403, 403, 200, 200),
    # --- plugins: one row per method and rule --------------------------------------------------------------------
    # ratings: everyone reads (managers their own clients only); planners and admins set and recompute
    ("GET", "/ratings/clients/<int:client_id>"):                                (302, 200, 200, 404, 200, 200),
    ("POST", "/ratings/clients/<int:client_id>/personal"):                      (302, 403, 403, 404, 422, 422),
    ("GET", "/ratings/engagements/<int:engagement_id>"):                        (302, 200, 200, 404, 200, 200),
    ("POST", "/ratings/engagements/<int:engagement_id>/exhibition"):            (302, 403, 403, 404, 422, 422),
    ("GET", "/ratings/recomputations/<int:recomputation_id>"):                  (302, 200, 200, 200, 200, 200),
    ("POST", "/ratings/recompute"):                                             (302, 403, 403, 403, 302, 302),
    ("GET", "/ratings/rules"):                                                  (302, 200, 200, 200, 200, 200),
    ("POST", "/ratings/rules"):                                                 (302, 403, 403, 403, 302, 302),
    ("GET", "/api/v1/ratings/clients/<int:client_id>"):                         (401, 200, 200, 404, 200, 200),
    ("GET", "/api/v1/ratings/clients/<int:client_id>/history"):                 (401, 200, 200, 404, 200, 200),
    ("PUT", "/api/v1/ratings/clients/<int:client_id>/personal"):                (401, 403, 403, 404, 422, 422),
    ("PUT", "/api/v1/ratings/engagements/<int:engagement_id>"):                 (401, 403, 403, 404, 422, 422),
    ("GET", "/api/v1/ratings/recomputations/<int:recomputation_id>"):           (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/ratings/rules"):                                           (401, 200, 200, 200, 200, 200),
    ("PUT", "/api/v1/ratings/rules"):                                           (401, 403, 403, 403, 422, 422),
    # segments: analytics over the clients each role sees; a saved segment is deleted by its author or a planner
    ("GET", "/segments/"):                                                      (302, 200, 200, 200, 200, 200),
    ("GET", "/segments/birthdays"):                                             (302, 200, 200, 200, 200, 200),
    ("GET", "/segments/cell"):                                                  (302, 422, 422, 422, 422, 422),
    ("GET", "/segments/reactivation"):                                          (302, 200, 200, 200, 200, 200),
    ("POST", "/segments/reactivation/<int:client_id>/task"):                    (302, 403, 302, 404, 302, 302),
    ("POST", "/segments/saved"):                                                (302, 403, 422, 422, 422, 422),
    ("POST", "/segments/saved/<int:segment_id>/delete"):                        (302, 403, 302, 403, 302, 302, FRESH),
    ("GET", "/api/v1/segments/abcxyz"):                                         (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/segments/reactivation"):                                   (401, 200, 200, 200, 200, 200),
    # funnel: everyone reads the numbers of the engagements they see (a manager their own)
    ("GET", "/funnel/"):                                                        (302, 200, 200, 200, 200, 200),
    ("GET", "/funnel/engagements"):                                             (302, 200, 200, 200, 200, 200),
    ("GET", "/funnel/export/<table>.csv"):                                      (302, 200, 200, 200, 200, 200),
    ("GET", "/funnel/managers"):                                                (302, 200, 200, 200, 200, 200),
    ("GET", "/funnel/widget"):                                                  (302, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/funnel"):                                                  (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/funnel/engagements"):                                      (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/funnel/managers"):                                         (401, 200, 200, 200, 200, 200),
    # planning: the plans are read by those who see the whole base; planners plan, distribute and close;
    # an engagement's budget is for whoever sees it, refined by its manager too
    ("GET", "/planning/"):                                                      (302, 302, 403, 403, 302, 302),
    ("GET", "/planning/periods/<period>"):                                      (302, 200, 403, 403, 200, 200),
    ("GET", "/planning/periods/<period>/candidates"):                           (302, 422, 403, 403, 422, 422),
    ("POST", "/planning/periods/<period>/replacements"):                        (302, 403, 403, 403, 422, 422),
    ("POST", "/planning/periods/<period>/target"):                              (302, 403, 403, 403, 302, 302, FRESH),
    ("POST", "/planning/periods/<period>/close"):                               (302, 403, 403, 403, 422, 422),
    ("GET", "/planning/engagements/<int:engagement_id>/budget"):                (302, 200, 200, 404, 200, 200),
    ("POST", "/planning/engagements/<int:engagement_id>/planned"):              (302, 403, 403, 404, 422, 422),
    ("POST", "/planning/engagements/<int:engagement_id>/refinements"):          (302, 403, 422, 404, 422, 422),
    ("POST", "/planning/engagements/<int:engagement_id>/actual"):               (302, 403, 422, 404, 422, 422),
    ("GET", "/planning/exhibitions/<int:exhibition_id>/distribution"):          (302, 403, 403, 403, 200, 200),
    ("POST", "/planning/exhibitions/<int:exhibition_id>/distribution/assign"):  (302, 403, 403, 403, 422, 422),
    ("POST", "/planning/exhibitions/<int:exhibition_id>/distribution/suggest"): (302, 403, 403, 403, 422, 422),
    ("GET", "/api/v1/planning/engagements/<int:engagement_id>"):                (401, 200, 200, 404, 200, 200),
    ("PUT", "/api/v1/planning/engagements/<int:engagement_id>/planned"):        (401, 403, 403, 404, 422, 422),
    ("POST", "/api/v1/planning/engagements/<int:engagement_id>/refinements"):   (401, 403, 422, 404, 422, 422),
    ("PUT", "/api/v1/planning/engagements/<int:engagement_id>/actual"):         (401, 403, 422, 404, 422, 422),
    ("GET", "/api/v1/planning/periods/<period>"):                               (401, 200, 200, 200, 200, 200),
    ("GET", "/api/v1/planning/recommendation"):                                 (401, 422, 403, 403, 422, 422),
    ("GET", "/api/v1/planning/periods/<period>/candidates"):                    (401, 422, 403, 403, 422, 422),
}


@dataclass
class World:
    """The objects the routes' ids point at: ``own`` belongs to the manager, ``foreign`` to another."""
    own: dict
    foreign: dict


def _shared_objects(app, planner_id, token_user_id) -> dict:
    """Objects no row changes: a scenario with a document, an exhibition, a finished report, a token."""
    import copy

    with app.app_context():
        p = db.session().get(User, planner_id)
        definition = copy.deepcopy(DESIGN_EXAMPLE)
        definition["steps"][0]["actions"][0]["document_template"] = "Dear {{ client.name }}"
        scenario = new_scenario(p, definition)
        show = new_exhibition(p)
        report = generate.create_report({"sections": ["summary"], "period": "2026-11"}, p)
        db.commit()
        generate.run(report.id)
        issue_token(db.session().get(User, token_user_id), SYSTEM, label="probe")
        upload = FileStorage(io.BytesIO(csv_bytes([["Название", "ИНН"], ["ООО «Импорт»", "7700000999"]])),
                             "clients.csv")
        imported = imports.upload(upload, "clients", p)
        # The bundled plugins' objects, made through their own services (this table covers their routes too).
        from expo_ratings.services import request_recomputation

        run = request_recomputation(p)
        db.commit()
        token_id = db.session().scalar(select(ApiToken.id).where(ApiToken.label == "probe"))
        return {"exhibition_id": show.id, "scenario_id": scenario.id, "action_id": scenario.steps[0].actions[0].id,
                "report_id": report.id, "token_id": token_id, "fmt": "html", "filename": "css/expo.css", "table": "steps",
                "outcome_key": "no",  # the first step's closing outcome (DESIGN.md's example)
                "import_id": imported.id, "recomputation_id": run.id, "period": "2026-09",
                "user_id": token_user_id}


def _objects(app, shared: dict, planner_id, manager_id, other_id) -> World:
    """Clients (with a contact, an engagement and its task) for each manager, a subscription with a failed delivery."""
    from expo.core.models import Exhibition, Scenario
    from expo.core.services.clients import add_contact
    from expo_segments.services import save_segment

    with app.app_context():
        p = db.session().get(User, planner_id)
        ids = {}
        for side, owner in (("own", manager_id), ("foreign", other_id)):
            client = new_client(p, manager_id=owner)
            contact = add_contact(client, {"name": "Ия"}, p)
            engagement = new_engagement(p, client, db.session().get(Exhibition, shared["exhibition_id"]),
                                        scenario_id=db.session().get(Scenario, shared["scenario_id"]).id)
            task = db.session().scalar(select(Task).where(Task.engagement_id == engagement.id))
            segment = save_segment({"name": f"Сегмент {side}", "region": "Москва"}, db.session().get(User, owner))
            pick_item = PickListItem(field="region", value=f"Регион {client.id}", position=client.id)
            db.session().add(pick_item)
            db.session().flush()
            ids[side] = {"client_id": client.id, "contact_id": contact.id, "engagement_id": engagement.id,
                         "task_id": task.id, "segment_id": segment.id, "item_id": pick_item.id}
        subscription = subscriptions.create_subscription(
            {"name": "S", "sections": ["summary"], "frequency": "monthly", "day": 1,
             "recipient_user_ids": [planner_id]}, p)
        db.session().flush()
        delivery = ReportDelivery(subscription_id=subscription.id, occurrence="x", period="2026-11", state="failed")
        db.session().add(delivery)
        db.commit()
        mailing = {"subscription_id": subscription.id, "delivery_id": delivery.id}
    return World(own={**shared, **mailing, **ids["own"]}, foreign={**shared, **mailing, **ids["foreign"]})


def _url(rule: str, values: dict) -> str:
    return re.sub(r"<(?:[^:>]+(?:\([^)]*\))?:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule)


class Caller:
    """One role's browser (a login session and its CSRF token) and API token."""

    def __init__(self, app, user):
        self.app, self.user = app, user
        self.http = app.test_client()
        self.token = None
        if user is not None:
            with app.app_context():
                person = db.session().get(User, user.id)
                session_token = start_session(person)
                self.token = issue_token(person, SYSTEM)
                db.commit()
            with self.http.session_transaction() as session:
                session["_user_id"], session["_fresh"] = session_token, True
        page = self.http.get("/login").get_data(as_text=True)
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def call(self, method: str, url: str):
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
            body = {"json": {}} if method in ("POST", "PATCH", "PUT") else {}
            return self.http.open(url, method=method, headers=headers, **body)
        data = {"csrf_token": self.csrf} if method == "POST" else None
        return self.http.open(url, method=method, data=data)


def unlisted_routes(app) -> list[str]:
    """The app's routes (method and rule) that have no row in ROUTES, named for the failure message."""
    served = {(method, rule.rule): rule.endpoint for rule in app.url_map.iter_rules()
              for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}
    return [f"{method} {rule} (endpoint {endpoint})" for (method, rule), endpoint in sorted(served.items())
            if (method, rule) not in ROUTES]


def test_every_route_answers_each_role_as_its_row_says(app, make_user):
    users = {"viewer": make_user("viewer"), "manager": make_user("manager"), "other": make_user("manager"),
             "planner": make_user("planner"), "admin": make_user("admin")}
    people = {"anonymous": None, "viewer": users["viewer"], "manager_own": users["manager"],
              "manager_foreign": users["manager"], "planner": users["planner"], "admin": users["admin"]}

    shared = _shared_objects(app, users["planner"].id, users["manager"].id)

    def world():
        return _objects(app, shared, users["planner"].id, users["manager"].id, users["other"].id)

    shared_world = world()
    callers = {role: Caller(app, person) for role, person in people.items()}
    missing = unlisted_routes(app)
    assert not missing, ("routes without a row in ROUTES (tests/test_route_access.py): add one with the status "
                         "each role gets:\n  " + "\n  ".join(missing))
    served = {(method, rule.rule) for rule in app.url_map.iter_rules() for method in rule.methods}
    stale = [f"{method} {rule}" for method, rule in ROUTES if (method, rule) not in served]
    assert not stale, "rows for routes the app does not serve: " + ", ".join(stale)

    wrong = []
    for (method, rule), row in sorted(ROUTES.items()):
        expected, fresh = row[:len(ROLES)], FRESH in row[len(ROLES):]
        for role, status in zip(ROLES, expected):
            objects = world() if fresh else shared_world
            values = objects.foreign if role == "manager_foreign" else objects.own
            caller = Caller(app, people[role]) if fresh else callers[role]
            answer = caller.call(method, _url(rule, values)).status_code
            if answer != status:
                wrong.append(f"{method} {rule} as {role}: {answer}, the table says {status}")
    assert not wrong, "\n".join(wrong)


def test_a_new_route_without_a_row_is_named(make_app):
    app = make_app()
    app.add_url_rule("/ratings/top", "ratings.top", lambda: "top", methods=["GET", "POST"])
    assert unlisted_routes(app) == ["GET /ratings/top (endpoint ratings.top)",
                                    "POST /ratings/top (endpoint ratings.top)"]
