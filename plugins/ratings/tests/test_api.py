"""The JSON API at /api/v1/ratings: shapes, rights, bad input (JSON errors, nothing changed), docs."""
from __future__ import annotations

import pytest

from expo.testing import walk


def test_a_clients_ratings_with_and_without_an_exhibition_in_view(app, firm, kit, api):
    with app.app_context():
        walk(kit.engagement_of(firm.engagement.id), kit.user(firm.manager.id), "signed")
    planner = api(firm.planner)
    assert planner.put(f"/ratings/engagements/{firm.engagement.id}", json={"value": 4}).json == {
        "client_id": firm.mine.id, "exhibition_id": firm.show.id, "status": 10, "exhibition": 4, "personal": 0,
        "total": 14, "engagement_id": firm.engagement.id, "engagement_status": 10}
    assert planner.put(f"/ratings/clients/{firm.mine.id}/personal", json={"value": -2}).json == {
        "client_id": firm.mine.id, "exhibition_id": None, "status": 10, "exhibition": 0, "personal": -2, "total": 8}
    manager = api(firm.manager)  # managers read their own clients
    assert manager.get(f"/ratings/clients/{firm.mine.id}").json["total"] == 8
    in_show = manager.get(f"/ratings/clients/{firm.mine.id}?exhibition_id={firm.show.id}").json
    assert (in_show["exhibition"], in_show["total"]) == (4, 12)
    history = manager.get(f"/ratings/clients/{firm.mine.id}/history?limit=2").json
    assert history["total"] == 3 and history["limit"] == 2
    assert [(i["component"], i["old"], i["new"], i["cause"], i["user_id"]) for i in history["items"]] == [
        ("personal", 0, -2, "manual", firm.planner.id), ("exhibition", 0, 4, "manual", firm.planner.id)]


def test_rules_are_read_and_replaced_and_the_recomputation_is_reported(app, firm, kit, api):
    with app.app_context():
        walk(kit.engagement_of(firm.engagement.id), kit.user(firm.manager.id), "price")
    reader = api(firm.viewer).get("/ratings/rules").json
    assert reader["min"] == -100 and reader["max"] == 100
    assert [(r["result"], r["kind"], r["reason"], r["points"]) for r in reader["rules"]] == [
        (None, "won", None, 10), (None, "lost", "price", -1), (None, "lost", "quality", -3),
        (None, "declined", None, -5)]
    rules = reader["rules"] + [{"result": "refused_price", "points": -9}]  # what GET gives can be put back
    response = api(firm.admin).put("/ratings/rules", json={"rules": rules})
    assert response.status_code == 200, response.json
    assert response.json["rules"][-1]["result"] == "refused_price"
    run = response.json["recomputation"]
    assert (run["state"], run["changed"], run["percent"]) == ("done", 1, 100)  # in-process: already done
    assert api(firm.viewer).get(f"/ratings/recomputations/{run['id']}").json == run
    with app.app_context():
        assert kit.ratings(firm.mine.id)["total"] == -9


@pytest.mark.parametrize("body, field", [
    ({"value": "5"}, "value"), ({"value": True}, "value"), ({"value": 5.5}, "value"), ({"value": 101}, "value"),
    ({"value": -101}, "value"), ({"value": None}, "value"), ({}, "value"), ({"value": 1, "extra": 2}, "extra"),
])
def test_bad_values_get_a_json_error_and_change_nothing(app, firm, kit, api, body, field):
    planner = api(firm.planner)
    for url in (f"/ratings/clients/{firm.mine.id}/personal", f"/ratings/engagements/{firm.engagement.id}"):
        response = planner.put(url, json=body)
        assert response.status_code == 422, (url, response.json)
        assert response.json["error"]["code"] == "validation_error" and field in response.json["error"]["fields"]
    assert planner.put(f"/ratings/clients/{firm.mine.id}/personal", data="5",
                       content_type="application/json").status_code == 400  # not an object
    with app.app_context():
        assert kit.snapshot() == {"clients": [], "engagements": [], "changes": 0}


@pytest.mark.parametrize("rules, field", [
    ([{"result": "no_such_result", "points": 1}], "rules[0].result"),
    ([{"kind": "draw", "points": 1}], "rules[0].kind"),
    ([{"kind": "won", "points": 1}, {"kind": "won", "points": 2}], "rules[1].kind"),
    ([{"kind": "won", "result": "contract", "points": 1}], "rules[0].result"),
    ([{"reason": "price", "points": 1}], "rules[0].result"),
    ([{"kind": "won", "points": "1"}], "rules[0].points"),
    ([{"kind": "won", "points": 1}, {"kind": "lost", "points": True}], "rules[1].points"),
    ([{"kind": "won", "points": 1.5}], "rules[0].points"),
    ([{"kind": "won", "points": 1000}], "rules[0].points"),
    ([{"kind": "won"}], "rules[0].points"),
    ([{"kind": "won", "points": 1, "colour": "red"}], "rules[0].colour"),
    (["won"], "rules[0]"),
    ("won", "rules"),
])
def test_bad_rules_get_a_json_error_and_the_old_rules_stay(app, firm, kit, api, rules, field):
    response = api(firm.planner).put("/ratings/rules", json={"rules": rules})
    assert response.status_code == 422
    assert field in response.json["error"]["fields"], response.json
    assert len(api(firm.planner).get("/ratings/rules").json["rules"]) == 4


def test_rights_and_visibility(app, firm, kit, api):
    manager, viewer, planner = api(firm.manager), api(firm.viewer), api(firm.planner)
    assert manager.get(f"/ratings/clients/{firm.foreign.id}").status_code == 404
    assert manager.get(f"/ratings/clients/{firm.foreign.id}/history").status_code == 404
    assert manager.put(f"/ratings/clients/{firm.foreign.id}/personal", json={"value": 1}).status_code == 404
    assert manager.put(f"/ratings/engagements/{firm.foreign_engagement.id}", json={"value": 1}).status_code == 404
    for caller in (manager, viewer):
        assert caller.put(f"/ratings/clients/{firm.mine.id}/personal", json={"value": 1}).status_code == 403
        assert caller.put(f"/ratings/engagements/{firm.engagement.id}", json={"value": 1}).status_code == 403
        assert caller.put("/ratings/rules", json={"rules": []}).status_code == 403
    assert viewer.get(f"/ratings/clients/{firm.foreign.id}").status_code == 200
    assert planner.get("/ratings/clients/999999").status_code == 404
    assert planner.get(f"/ratings/clients/{firm.mine.id}?exhibition_id=abc").status_code == 422
    assert planner.get(f"/ratings/clients/{firm.mine.id}?exhibition_id=999999").json["error"]["fields"] == {
        "exhibition_id": "No such exhibition."}
    assert planner.get(f"/ratings/clients/{firm.mine.id}/history?limit=0").status_code == 422
    assert planner.put("/ratings/rules", json={"rule": []}).json["error"]["fields"] == {"rule": "Unknown field."}
    assert app.test_client().get(f"/api/v1/ratings/clients/{firm.mine.id}").status_code == 401
    with app.app_context():
        assert kit.snapshot() == {"clients": [], "engagements": [], "changes": 0}


def test_the_api_is_described_in_openapi(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    paths = {path: set(item) for path, item in document["paths"].items() if path.startswith("/ratings/")}
    assert paths == {"/ratings/clients/{client_id}": {"get"}, "/ratings/clients/{client_id}/personal": {"put"},
                     "/ratings/engagements/{engagement_id}": {"put"},
                     "/ratings/clients/{client_id}/history": {"get"}, "/ratings/rules": {"get", "put"},
                     "/ratings/recomputations/{recomputation_id}": {"get"}}
    schemas = document["components"]["schemas"]
    assert set(schemas["RatingsClient"]["properties"]) >= {"client_id", "status", "exhibition", "personal", "total"}
    for item in document["paths"]["/ratings/rules"].values():
        for ref in str(item).split("#/components/schemas/")[1:]:
            assert ref.split("'")[0] in schemas
