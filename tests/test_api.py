"""The JSON API: resources, filters, paging, the error shape, and the OpenAPI document."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from expo.core import db
from expo.core.models import AuditEvent, Client, Engagement


@pytest.fixture
def as_planner(api, planner):
    return api(planner)


def _error(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json["error"]
    assert body["code"] == code and body["message"]
    return body


def test_clients_create_get_patch_list(as_planner, make_user):
    manager = make_user("manager")
    created = as_planner.post("/clients", json={"name": "ООО «Апи»", "tax_id": "7707083893", "region": "Казань",
                                                "email": "Info@Api.ru", "manager_id": manager.id})
    assert created.status_code == 201
    body = created.json
    assert {k: body[k] for k in ("name", "tax_id", "region", "email", "manager_id", "channel")} == {
        "name": "ООО «Апи»", "tax_id": "7707083893", "region": "Казань", "email": "info@api.ru",
        "manager_id": manager.id, "channel": None}
    assert as_planner.get(f"/clients/{body['id']}").json == body
    patched = as_planner.patch(f"/clients/{body['id']}", json={"channel": "Выставка", "phone": None})
    assert patched.status_code == 200 and patched.json["channel"] == "Выставка" and patched.json["region"] == "Казань"
    listing = as_planner.get("/clients?region=Казань&channel=Выставка").json
    assert listing["total"] == 1 and listing["items"][0]["id"] == body["id"]
    assert listing["limit"] == 50 and listing["offset"] == 0


def test_client_list_pages(as_planner):
    for i in range(7):
        assert as_planner.post("/clients", json={"name": f"Клиент {i}"}).status_code == 201
    page = as_planner.get("/clients?limit=3&offset=3&sort=-name").json
    assert page["total"] == 7 and [c["name"] for c in page["items"]] == ["Клиент 3", "Клиент 2", "Клиент 1"]
    assert as_planner.get("/clients?q=клиент 6").json["total"] == 1


@pytest.mark.parametrize("payload, fields", [
    ({}, {"name"}),
    ({"name": ""}, {"name"}),
    ({"name": "x" * 201}, {"name"}),
    ({"name": 42}, {"name"}),
    ({"name": "A", "email": "nope"}, {"email"}),
    ({"name": "A", "tax_id": "12ab"}, {"tax_id"}),
    ({"name": "A", "manager_id": "seven"}, {"manager_id"}),
    ({"name": "A", "manager_id": 99999}, {"manager_id"}),
    ({"name": "A", "category": "vip"}, {"category"}),
    ({"name": "A", "colour": "red"}, {"colour"}),
    ({"name": "", "email": "x", "region": "y" * 101}, {"name", "email", "region"}),
])
def test_bad_client_input_is_refused_with_every_field_named(app, as_planner, payload, fields):
    body = _error(as_planner.post("/clients", json=payload), 422, "validation_error")
    assert set(body["fields"]) == fields
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id))) == 0


def test_a_body_that_is_not_a_json_object_is_a_400(as_planner):
    _error(as_planner.post("/clients", data="name=x", headers={"Content-Type": "text/plain"}), 400, "bad_request")
    _error(as_planner.post("/clients", json=["a"]), 400, "bad_request")


def test_bad_list_parameters_are_a_422(as_planner):
    body = _error(as_planner.get("/clients?limit=5000&offset=x&manager_id=me&sort=secret"), 422, "validation_error")
    assert {"limit", "offset", "manager_id"} <= set(body["fields"])
    _error(as_planner.get("/engagements?state=paused"), 422, "validation_error")


def test_unknown_ids_and_routes_are_json_404s(as_planner):
    _error(as_planner.get("/clients/424242"), 404, "not_found")
    _error(as_planner.get("/nothing-here"), 404, "not_found")
    _error(as_planner.patch("/engagements/9", json={}), 404, "not_found")


def test_delete_needs_the_right_and_is_audited(app, api, as_planner, make_user):
    created = as_planner.post("/clients", json={"name": "Удаляемый"}).json
    _error(as_planner.delete(f"/clients/{created['id']}"), 403, "forbidden")
    admin = make_user("admin", grants=["clients.delete"])
    assert api(admin).delete(f"/clients/{created['id']}").status_code == 204
    assert api(admin).get(f"/clients/{created['id']}").status_code == 404  # hidden; restorable by admins
    with app.app_context():
        assert db.session().get(Client, created["id"]).deleted_at is not None
        assert db.session().scalar(select(AuditEvent.user_id).where(AuditEvent.action == "delete")) == admin.id


def test_contacts(as_planner):
    client_id = as_planner.post("/clients", json={"name": "С контактами"}).json["id"]
    created = as_planner.post(f"/clients/{client_id}/contacts", json={
        "name": "Ольга", "email": "olga@firm.ru", "birthday": "1985-03-08", "preferences": "Любит чай"})
    assert created.status_code == 201 and created.json["birthday"] == "1985-03-08"
    contact_id = created.json["id"]
    assert as_planner.patch(f"/contacts/{contact_id}", json={"position": "CEO"}).json["position"] == "CEO"
    body = _error(as_planner.post(f"/clients/{client_id}/contacts", json={"name": "X", "birthday": "08.03.1985"}),
                  422, "validation_error")
    assert set(body["fields"]) == {"birthday"}
    assert [c["name"] for c in as_planner.get(f"/clients/{client_id}/contacts").json["items"]] == ["Ольга"]
    assert as_planner.delete(f"/contacts/{contact_id}").status_code == 204
    assert as_planner.get(f"/clients/{client_id}/contacts").json["total"] == 0


def test_exhibitions(as_planner, api, make_user):
    created = as_planner.post("/exhibitions", json={"name": "Иннопром", "venue": "Екатеринбург-Экспо",
                                                    "starts_on": "2026-07-06", "ends_on": "2026-07-09"})
    assert created.status_code == 201 and created.json["starts_on"] == "2026-07-06"
    body = _error(as_planner.patch(f"/exhibitions/{created.json['id']}", json={"ends_on": "2026-07-01"}),
                  422, "validation_error")
    assert set(body["fields"]) == {"ends_on"}
    assert as_planner.get("/exhibitions").json["total"] == 1
    _error(api(make_user("manager")).post("/exhibitions", json={"name": "x", "starts_on": "2026-01-01",
                                                                "ends_on": "2026-01-02"}), 403, "forbidden")


def _show_and_client(as_planner, **client_fields):
    show = as_planner.post("/exhibitions", json={"name": "Show", "starts_on": "2026-07-06", "ends_on": "2026-07-09"}).json
    client = as_planner.post("/clients", json={"name": "Клиент", **client_fields}).json
    return show, client


def test_engagements(app, as_planner, make_user):
    manager = make_user("manager")
    show, client = _show_and_client(as_planner, manager_id=manager.id)
    created = as_planner.post("/engagements", json={"client_id": client["id"], "exhibition_id": show["id"],
                                                    "expected_amount": "1500000.50"})
    assert created.status_code == 201
    engagement = created.json
    assert engagement["manager_id"] == manager.id and engagement["state"] == "open"
    assert engagement["expected_amount"] == "1500000.50" and engagement["contract_amount"] is None
    duplicate = _error(as_planner.post("/engagements", json={"client_id": client["id"], "exhibition_id": show["id"]}),
                       409, "conflict")
    assert "exhibition_id" in duplicate["fields"]
    patched = as_planner.patch(f"/engagements/{engagement['id']}", json={"contract_amount": "1400000",
                                                                         "version": engagement["version"]})
    assert patched.status_code == 200 and patched.json["contract_amount"] == "1400000.00"
    stale = _error(as_planner.patch(f"/engagements/{engagement['id']}", json={"contract_amount": "1",
                                                                              "version": engagement["version"]}),
                   409, "conflict")
    assert "changed" in stale["message"]
    _error(as_planner.patch(f"/engagements/{engagement['id']}", json={"expected_amount": 12.5}), 422, "validation_error")
    _error(as_planner.patch(f"/engagements/{engagement['id']}", json={"expected_amount": "-3"}), 422, "validation_error")
    _error(as_planner.post("/engagements", json={"client_id": 999, "exhibition_id": show["id"]}), 422, "validation_error")
    listing = as_planner.get(f"/engagements?exhibition_id={show['id']}&state=open").json
    assert [e["id"] for e in listing["items"]] == [engagement["id"]]
    with app.app_context():
        assert db.session().scalar(select(func.count(Engagement.id))) == 1


def test_a_manager_cannot_open_engagements_for_someone_elses_client(api, as_planner, make_user):
    me, other = make_user("manager"), make_user("manager")
    show, client = _show_and_client(as_planner, manager_id=other.id)
    body = _error(api(me).post("/engagements", json={"client_id": client["id"], "exhibition_id": show["id"]}),
                  422, "validation_error")
    assert set(body["fields"]) == {"client_id"}


def test_activities(as_planner):
    client = as_planner.post("/clients", json={"name": "Клиент"}).json
    created = as_planner.post(f"/clients/{client['id']}/activities", json={"kind": "meeting", "text": "Встреча"})
    assert created.status_code == 201 and created.json["kind"] == "meeting"
    _error(as_planner.post(f"/clients/{client['id']}/activities", json={"kind": "meeting", "text": "",
                                                                        "engagement_id": 77}), 422, "validation_error")
    assert as_planner.get(f"/clients/{client['id']}/activities").json["total"] == 1


def test_users_are_listed_for_planners_only(as_planner, api, make_user):
    manager = make_user("manager")
    roles = {u["role"] for u in as_planner.get("/users").json["items"]}
    assert roles == {"planner", "manager"}
    _error(api(manager).get("/users"), 403, "forbidden")


def test_the_openapi_document_describes_every_route(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
            served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == described
    for name, schema in document["components"]["schemas"].items():
        assert schema["type"] == "object", name


def test_scenarios_api(as_planner, api, make_user):
    from expo.testing import DESIGN_EXAMPLE

    created = as_planner.post("/scenarios", json=DESIGN_EXAMPLE)
    assert created.status_code == 201
    body = created.json
    assert body["definition"] == DESIGN_EXAMPLE and body["version"] == 1 and body["is_default"]
    assert as_planner.get(f"/scenarios/{body['id']}").json == body
    assert [s["id"] for s in as_planner.get("/scenarios").json["items"]] == [body["id"]]
    broken = dict(DESIGN_EXAMPLE, steps=[dict(DESIGN_EXAMPLE["steps"][0], key="presentation")] + DESIGN_EXAMPLE["steps"][1:])
    problem = _error(as_planner.post("/scenarios", json=broken), 422, "validation_error")
    assert problem["fields"] == {"steps[1].key": "repeats the key 'presentation'"}
    _error(api(make_user("manager")).post("/scenarios", json=DESIGN_EXAMPLE), 403, "forbidden")


def test_outcomes_history_and_tasks_through_the_api(as_planner, api, make_user):
    from expo.testing import DESIGN_EXAMPLE

    manager = make_user("manager")
    scenario = as_planner.post("/scenarios", json=DESIGN_EXAMPLE).json
    show, client = _show_and_client(as_planner, manager_id=manager.id)
    engagement = as_planner.post("/engagements", json={"client_id": client["id"], "exhibition_id": show["id"],
                                                       "scenario_id": scenario["id"]}).json
    assert (engagement["scenario_id"], engagement["step"], engagement["state"]) == (scenario["id"], "contact", "open")
    as_manager = api(manager)
    tasks = as_manager.get("/tasks").json
    assert [t["title"] for t in tasks["items"]] == ["Call the client"] and tasks["total"] == 1
    wrong = _error(as_manager.post(f"/engagements/{engagement['id']}/outcome", json={"outcome": "signed"}),
                   422, "validation_error")
    assert "interested" in wrong["fields"]["outcome"]
    _error(as_manager.post(f"/engagements/{engagement['id']}/outcome", json={}), 422, "validation_error")
    moved = as_manager.post(f"/engagements/{engagement['id']}/outcome",
                            json={"outcome": "interested", "version": engagement["version"]})
    assert moved.status_code == 200 and moved.json["step"] == "presentation"
    _error(as_manager.post(f"/engagements/{engagement['id']}/outcome",
                           json={"outcome": "ok", "version": engagement["version"]}), 409, "conflict")
    as_manager.post(f"/engagements/{engagement['id']}/outcome", json={"outcome": "ok"})
    closed = as_manager.post(f"/engagements/{engagement['id']}/outcome", json={"outcome": "price"}).json
    assert (closed["state"], closed["result"], closed["step"]) == ("lost", "refused_price", None)
    _error(as_manager.post(f"/engagements/{engagement['id']}/outcome", json={"outcome": "signed"}), 409, "conflict")
    history = as_manager.get(f"/engagements/{engagement['id']}/history").json["items"]
    assert [(h["step"], h["outcome"], h["result_kind"], h["result_reason"]) for h in history] == [
        ("contact", "interested", "lost", "price"), ("presentation", "ok", "lost", "price"),
        ("offer", "price", "lost", "price")]
    assert as_manager.get("/tasks").json["total"] == 0  # left steps cancel their tasks
    _error(api(make_user("manager")).get(f"/engagements/{engagement['id']}/history"), 404, "not_found")
