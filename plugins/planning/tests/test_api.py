"""The JSON API at /api/v1/planning: every endpoint's shape with hand-computed values, exact sums,
rights and visibility, bad input (a JSON 4xx and nothing changed), and its OpenAPI description."""
from __future__ import annotations

import pytest

from expo.hooks import commit
from expo.testing import new_client, new_engagement, walk
from expo_planning import services

ZERO_RATIO = ("The basis periods give no realisation ratio to plan with: nothing planned in them, or next to "
              "nothing of it won (below 0.0001).")
NOTHING = {"period": None, "planned": None, "refined": None, "actual": None, "history": []}


def budget(api, firm, key, caller=None):
    """The engagement's budget as the API answers it (a planner reads it by default)."""
    response = api(caller or firm.planner).get(f"/planning/engagements/{firm.e[key]}")
    assert response.status_code == 200, response.json
    return response.json


def history(answer):
    return [(h["kind"], h["period"], h["old"], h["amount"], h["comment"], h["user_id"]) for h in answer["history"]]


def plan_august(app, firm, kit):
    """August, every engagement closed: a1 planned 60 won at 75, a2 planned 40 lost — planned 100.00,
    actual 75.00, a realisation ratio of 0.75."""
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        kit.planned(firm.e["a1"], "60", "2026-08", planner)
        kit.planned(firm.e["a2"], "40", "2026-08", planner)
        kit.won(firm.e["a1"], "75", ann)
        kit.lost(firm.e["a2"], ann)


# --- shapes and values --------------------------------------------------------------------------


def test_domain_example_planned_refined_actual_through_the_api(app, firm, kit, api):
    """DOMAIN.md: planned 100 M, refined to 80 M, contracts 75 M — error 25 %, refined-stage error 6.25 %."""
    planner, ann = api(firm.planner), api(firm.ann)
    assert budget(api, firm, "a1") == {"engagement_id": firm.e["a1"], **NOTHING}
    first = planner.put(f"/planning/engagements/{firm.e['a1']}/planned",
                        json={"amount": "60000000.00", "period": "2026-09"})
    assert first.status_code == 200, first.json
    assert {k: v for k, v in first.json.items() if k != "history"} == {
        "engagement_id": firm.e["a1"], "period": "2026-09", "planned": "60000000.00", "refined": None, "actual": None}
    assert planner.put(f"/planning/engagements/{firm.e['a2']}/planned",
                       json={"amount": 40000000, "period": "2026-09"}).json["planned"] == "40000000.00"
    refined = ann.post(f"/planning/engagements/{firm.e['a1']}/refinements",
                       json={"amount": "50 000 000,00", "comment": "budget cut"})
    assert refined.status_code == 201, refined.json
    assert (refined.json["planned"], refined.json["refined"]) == ("60000000.00", "50000000.00")
    assert ann.post(f"/planning/engagements/{firm.e['a2']}/refinements",
                    json={"amount": "30000000"}).json["refined"] == "30000000.00"
    with app.app_context():
        walk(kit.engagement(firm.e["a1"]), kit.user(firm.ann.id), "signed")
        walk(kit.engagement(firm.e["a2"]), kit.user(firm.ann.id), "signed")
    assert ann.put(f"/planning/engagements/{firm.e['a1']}/actual", json={"amount": "45000000.00"}).status_code == 200
    actual = planner.put(f"/planning/engagements/{firm.e['a2']}/actual", json={"amount": "30000000.00"})
    assert actual.status_code == 200 and actual.json["actual"] == "30000000.00"

    assert planner.get("/planning/periods/2026-09").json == {
        "period": "2026-09", "planned": "100000000.00", "refined": "80000000.00", "actual": "75000000.00",
        "lost": "0.00", "error": "0.2500", "refined_error": "0.0625", "clients": 2}
    a1 = budget(api, firm, "a1", firm.ann)
    assert {k: v for k, v in a1.items() if k != "history"} == {
        "engagement_id": firm.e["a1"], "period": "2026-09", "planned": "60000000.00", "refined": "50000000.00",
        "actual": "45000000.00"}
    assert history(a1) == [
        ("planned", "2026-09", None, "60000000.00", None, firm.planner.id),
        ("refined", "2026-09", None, "50000000.00", "budget cut", firm.ann.id),
        ("actual", "2026-09", None, "45000000.00", None, firm.ann.id)]
    assert [h["user"] for h in a1["history"]] == [firm.planner.name, "Анна", "Анна"]
    assert all(h["at"] and "T" in h["at"] for h in a1["history"])
    assert history(budget(api, firm, "a2"))[-1] == ("actual", "2026-09", None, "30000000.00", None, firm.planner.id)


def test_replanning_moves_the_budget_and_keeps_the_old_values_in_the_history(app, firm, kit, api):
    planner, ann = api(firm.planner), api(firm.ann)
    url = f"/planning/engagements/{firm.e['a1']}"
    planner.put(f"{url}/planned", json={"amount": "100", "period": "2026-09"})
    ann.post(f"{url}/refinements", json={"amount": "90.50", "comment": "after the call"})
    ann.post(f"{url}/refinements", json={"amount": "95"})  # the latest refinement is current
    again = planner.put(f"{url}/planned", json={"amount": "120.00", "period": "2026-10"})
    assert again.status_code == 200
    assert (again.json["period"], again.json["planned"], again.json["refined"]) == ("2026-10", "120.00", "95.00")
    assert history(again.json) == [
        ("planned", "2026-09", None, "100.00", None, firm.planner.id),
        ("refined", "2026-09", None, "90.50", "after the call", firm.ann.id),
        ("refined", "2026-09", "90.50", "95.00", None, firm.ann.id),
        ("planned", "2026-10", "100.00", "120.00", None, firm.planner.id)]
    same = planner.put(f"{url}/planned", json={"amount": "120", "period": "2026-10"})  # no change, no history
    assert len(same.json["history"]) == 4
    assert planner.get("/planning/periods/2026-09").json["planned"] == "0.00"
    assert planner.get("/planning/periods/2026-10").json == {
        "period": "2026-10", "planned": "120.00", "refined": "95.00", "actual": "0.00", "lost": "0.00",
        "error": "1.0000", "refined_error": "1.0000", "clients": 1}
    # a won engagement without a budget has an actual, and no plan
    with app.app_context():
        walk(kit.engagement(firm.e["b1"]), kit.user(firm.bob.id), "signed")
    assert api(firm.bob).put(f"/planning/engagements/{firm.e['b1']}/actual", json={"amount": "7"}).json == {
        "engagement_id": firm.e["b1"], "period": None, "planned": None, "refined": None, "actual": "7.00",
        "history": []}


def test_periods_months_quarters_years_managers_and_exhibitions(app, firm, kit, api):
    with app.app_context():
        planner, ann, bob = kit.user(firm.planner.id), kit.user(firm.ann.id), kit.user(firm.bob.id)
        kit.planned(firm.e["a1"], "100.00", "2026-07", planner)
        kit.planned(firm.e["a2"], "50.00", "2026-08", planner)
        kit.planned(firm.e["a3"], "30.00", "2026-09", planner)
        kit.planned(firm.e["b1"], "20.00", "2026-09", planner)
        kit.won(firm.e["a1"], "90.00", ann)
        kit.lost(firm.e["a2"], ann)
        kit.won(firm.e["b1"], "25.00", bob)
        fair_client = new_client(planner, name="ООО «ярмарка»", manager_id=firm.bob.id)
        kit.planned(new_engagement(planner, fair_client, firm.fair, manager_id=firm.bob.id).id, "10.00", "2026-09",
                    planner)
    reader = api(firm.viewer)
    quarter = {"period": "2026-Q3", "planned": "210.00", "refined": "210.00", "actual": "115.00", "lost": "50.00",
               "error": "0.4524", "refined_error": "0.4524", "clients": 5}
    assert reader.get("/planning/periods/2026-Q3").json == quarter
    assert reader.get("/planning/periods/2026-q3").json == quarter
    assert reader.get("/planning/periods/2026").json == {**quarter, "period": "2026"}
    assert reader.get("/planning/periods/2026-12").json == {
        "period": "2026-12", "planned": "0.00", "refined": "0.00", "actual": "0.00", "lost": "0.00", "error": None,
        "refined_error": None, "clients": 0}
    september = f"/planning/periods/2026-09?manager_id={firm.bob.id}"
    assert reader.get(september).json == {  # bob: 20 won at 25, and 10 at the fair
        "period": "2026-09", "planned": "30.00", "refined": "30.00", "actual": "25.00", "lost": "0.00",
        "error": "0.1667", "refined_error": "0.1667", "clients": 2}
    both = api(firm.admin).get(f"{september}&exhibition_id={firm.show.id}").json
    assert (both["planned"], both["actual"], both["error"]) == ("20.00", "25.00", "-0.2500")  # over-fulfilled
    # a manager sees their own numbers, asked for or not
    own = {"period": "2026-Q3", "planned": "180.00", "refined": "180.00", "actual": "90.00", "lost": "50.00",
           "error": "0.5000", "refined_error": "0.5000", "clients": 3}
    assert api(firm.ann).get("/planning/periods/2026-Q3").json == own
    assert api(firm.ann).get(f"/planning/periods/2026-Q3?manager_id={firm.ann.id}").json == own
    assert reader.get(f"/planning/periods/2026-Q3?manager_id={firm.ann.id}").json == own


def test_sums_are_exact_to_the_kopeck(app, firm, kit, api):
    planner, ann = api(firm.planner), api(firm.ann)
    amounts = ["0.10", "0.20", "0.01"] * 15 + ["999999999999.99"]
    with app.app_context():
        boss = kit.user(firm.planner.id)
        ids = [new_engagement(boss, new_client(boss, name=f"Клиент {i}", manager_id=firm.ann.id), firm.fair,
                              manager_id=firm.ann.id).id for i in range(len(amounts))]
    for engagement_id, amount in zip(ids, amounts):
        response = planner.put(f"/planning/engagements/{engagement_id}/planned",
                               json={"amount": amount, "period": "2026-11"})
        assert response.status_code == 200 and response.json["planned"] == amount
    for engagement_id in ids[:30:3]:  # ten of the 0.10 refined to 0.29
        refined = ann.post(f"/planning/engagements/{engagement_id}/refinements", json={"amount": "0.29"})
        assert refined.status_code == 201
    with app.app_context():
        for engagement_id in ids[1:30:3]:  # ten of the 0.20 won at 0.07
            walk(kit.engagement(engagement_id), kit.user(firm.ann.id), "signed")
    for engagement_id in ids[1:30:3]:
        assert ann.put(f"/planning/engagements/{engagement_id}/actual", json={"amount": "0.07"}).status_code == 200
    # planned: 15 × 0.31 + 999 999 999 999.99; refined: 10 × 0.29 instead of 10 × 0.10 → + 1.90
    assert api(firm.viewer).get("/planning/periods/2026-11").json == {
        "period": "2026-11", "planned": "1000000000004.64", "refined": "1000000000006.54", "actual": "0.70",
        "lost": "0.00", "error": "1.0000", "refined_error": "1.0000", "clients": 46}
    assert planner.get(f"/planning/periods/2026-Q4?exhibition_id={firm.fair.id}").json["planned"] == \
        "1000000000004.64"
    assert planner.get(f"/planning/periods/2026-11?exhibition_id={firm.show.id}").json["planned"] == "0.00"


def test_the_recommendation_divides_the_target_by_the_realisation_ratio(app, firm, kit, api):
    plan_august(app, firm, kit)  # planned 100, actual 75: ratio 0.75
    reader = api(firm.viewer)
    expected = {"target": "100.00", "realisation_ratio": "0.7500", "plan": "133.33",
                "basis_periods": [{"period": "2026-08", "planned": "100.00", "actual": "75.00"}]}
    assert reader.get("/planning/recommendation?period=2026-09&target=100").json == expected
    assert api(firm.planner).get("/planning/recommendation?period=2026-09&target=100.00").json == expected
    # without a target, the period's own one
    with app.app_context():
        services.set_target("2026-09", {"target": "150"}, kit.user(firm.planner.id))
        commit()
    assert reader.get("/planning/recommendation?period=2026-09").json == {
        **expected, "target": "150.00", "plan": "200.00"}
    # a period not after any settled one has no basis: a clear 422, not a division by zero
    response = reader.get("/planning/recommendation?period=2026-08&target=100")
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "period": "No basis yet: no earlier period has planned engagements that have all closed."}
    missing = reader.get("/planning/recommendation?period=2026-10")
    assert missing.status_code == 422 and "target" in missing.json["error"]["fields"]


def test_a_basis_where_nothing_was_won_or_nothing_was_planned_is_refused_clearly(app, firm, kit, api):
    """No division by zero anywhere: nothing won, Σ planned 0, a ratio that rounds to 0.0000."""
    planner = api(firm.planner)
    with app.app_context():
        boss, ann, bob = kit.user(firm.planner.id), kit.user(firm.ann.id), kit.user(firm.bob.id)
        kit.planned(firm.e["a3"], "999999999999.99", "2026-04", boss)
        kit.won(firm.e["a3"], "0.01", ann)  # April: Σ actual ÷ Σ planned = 0.00000000000001
        kit.planned(firm.e["a1"], "60", "2026-05", boss)
        kit.lost(firm.e["a1"], ann)  # May: nothing won
        kit.planned(firm.e["b1"], "0", "2026-06", boss)
        kit.won(firm.e["b1"], "15", bob)  # June: planned 0, won 15
    april = planner.get("/planning/recommendation?period=2026-05&target=100")
    assert april.status_code == 422 and april.json["error"]["fields"] == {"period": ZERO_RATIO}, april.json
    with app.app_context():  # April out of the way: its planned amount moves past the months asked about
        services.set_planned(kit.engagement(firm.e["a3"]), {"amount": "1", "period": "2026-12"},
                             kit.user(firm.planner.id))
        commit()
    may = planner.get("/planning/recommendation?period=2026-06&target=100")
    assert may.status_code == 422 and "was won" in may.json["error"]["fields"]["period"], may.json
    june = planner.get("/planning/recommendation?period=2026-07&target=100")  # Σ actual 15 ÷ Σ planned 60
    assert june.json == {"target": "100.00", "realisation_ratio": "0.2500", "plan": "400.00", "basis_periods": [
        {"period": "2026-05", "planned": "60.00", "actual": "0.00"},
        {"period": "2026-06", "planned": "0.00", "actual": "15.00"}]}
    with app.app_context():
        services.set_planned(kit.engagement(firm.e["a1"]), {"amount": "0", "period": "2026-05"},
                             kit.user(firm.planner.id))
        commit()
    zero = planner.get("/planning/recommendation?period=2026-07&target=100")  # Σ planned 0, Σ actual 15
    assert zero.status_code == 422 and zero.json["error"]["fields"] == {"period": ZERO_RATIO}, zero.json


def test_candidates_rank_the_replacements_and_mark_where_the_gap_is_covered(app, firm, kit, api):
    with app.app_context():
        kit.won(firm.e["a1"], "100.00", kit.user(firm.ann.id))
        kit.won(firm.e["b1"], "200.00", kit.user(firm.bob.id))  # the firm's median won contract: 150.00
    spare1, spare2 = firm.clients["spare1"].id, firm.clients["spare2"].id
    url = f"/planning/periods/2026-09/candidates?exhibition_id={firm.show.id}"
    assert api(firm.viewer).get(f"{url}&gap=200").json == {
        "period": "2026-09", "exhibition_id": firm.show.id, "gap": "200.00", "items": [
            {"client_id": spare1, "name": "ООО «spare1»", "expected": "150.00", "priority": 0.0,
             "running": "150.00", "covers": False},
            {"client_id": spare2, "name": "ООО «spare2»", "expected": "150.00", "priority": 0.0,
             "running": "300.00", "covers": True}]}
    without = api(firm.planner).get(url).json
    assert without["gap"] is None and [i["covers"] for i in without["items"]] == [False, False]
    too_much = api(firm.admin).get(f"{url}&gap=1000").json
    assert [i["covers"] for i in too_much["items"]] == [False, False]


# --- rights and visibility ------------------------------------------------------------------------


def test_rights_and_visibility(app, firm, kit, api):
    planner, ann, bob, viewer = api(firm.planner), api(firm.ann), api(firm.bob), api(firm.viewer)
    a1, b1 = firm.e["a1"], firm.e["b1"]
    assert planner.put(f"/planning/engagements/{a1}/planned", json={"amount": "100", "period": "2026-09"}
                       ).status_code == 200
    before = budget(api, firm, "a1")
    # a manager never changes a planned amount, not even on their own engagement
    refused = ann.put(f"/planning/engagements/{a1}/planned", json={"amount": "1", "period": "2026-09"})
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"
    assert ann.put(f"/planning/engagements/{a1}/planned", json={"nonsense": 1}).status_code == 403  # before the body
    # another manager's engagement does not exist for them (404 before 403)
    for call in (bob.get(f"/planning/engagements/{a1}"),
                 bob.put(f"/planning/engagements/{a1}/planned", json={"amount": "1", "period": "2026-09"}),
                 bob.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1"}),
                 bob.put(f"/planning/engagements/{a1}/actual", json={"amount": "1"}),
                 ann.get(f"/planning/engagements/{b1}")):
        assert call.status_code == 404 and call.json["error"]["code"] == "not_found"
    # viewers read everything and write nothing
    assert viewer.get(f"/planning/engagements/{a1}").json == before
    for call in (viewer.put(f"/planning/engagements/{a1}/planned", json={"amount": "1", "period": "2026-09"}),
                 viewer.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1"}),
                 viewer.put(f"/planning/engagements/{a1}/actual", json={"amount": "1"})):
        assert call.status_code == 403
    # managers: their own period numbers; no recommendation, no candidates
    assert ann.get(f"/planning/periods/2026-09?manager_id={firm.bob.id}").status_code == 404
    assert ann.get("/planning/periods/2026-09?manager_id=999999").status_code == 404
    assert ann.get("/planning/recommendation?period=2026-09&target=100").status_code == 403
    assert ann.get(f"/planning/periods/2026-09/candidates?exhibition_id={firm.show.id}").status_code == 403
    assert bob.get("/planning/periods/2026-09").json["planned"] == "0.00"
    assert ann.get("/planning/periods/2026-09").json["planned"] == "100.00"
    # planners and admins plan; the engagement's manager, planners and admins refine
    assert api(firm.admin).post(f"/planning/engagements/{a1}/refinements", json={"amount": "90"}).status_code == 201
    assert ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "80"}).status_code == 201
    assert planner.get("/planning/engagements/999999").status_code == 404
    assert planner.put("/planning/engagements/2147483648/planned",
                       json={"amount": "1", "period": "2026-09"}).status_code == 404
    anonymous = app.test_client()
    for url in (f"/engagements/{a1}", "/periods/2026-09", "/recommendation?period=2026-09&target=1",
                f"/periods/2026-09/candidates?exhibition_id={firm.show.id}"):
        assert anonymous.get(f"/api/v1/planning{url}").status_code == 401
    assert anonymous.put(f"/api/v1/planning/engagements/{a1}/planned",
                         json={"amount": "1", "period": "2026-09"}).status_code == 401
    after = budget(api, firm, "a1")
    assert (after["planned"], after["refined"]) == ("100.00", "80.00")
    assert [h["user_id"] for h in after["history"]] == [firm.planner.id, firm.admin.id, firm.ann.id]


# --- bad input: a JSON 4xx, nothing changed -------------------------------------------------------

BAD_AMOUNTS = [("-5", "amount"), ("-0.01", "amount"), ("abc", "amount"), ("", "amount"), (None, "amount"),
               (1500.5, "amount"), (1500.0, "amount"), (True, "amount"), ("1.001", "amount"), ("1e5", "amount"),
               ("NaN", "amount"), ("1 50", "amount"), ("١٢٣", "amount"), ("1000000000000.00", "amount"),
               (-1, "amount"), ([1], "amount"), ({"v": 1}, "amount")]


@pytest.fixture
def planned_a1(app, firm, kit, api):
    """a1 planned 100.00 for September and refined to 90.00 by ann; b1 won, planned 50.00 for September."""
    with app.app_context():
        planner, ann, bob = kit.user(firm.planner.id), kit.user(firm.ann.id), kit.user(firm.bob.id)
        kit.planned(firm.e["a1"], "100", "2026-09", planner)
        services.refine(kit.engagement(firm.e["a1"]), {"amount": "90"}, ann)
        commit()
        kit.planned(firm.e["b1"], "50", "2026-09", planner)
        kit.won(firm.e["b1"], "40", bob)
    return {key: budget(api, firm, key) for key in ("a1", "a2", "b1")}


def unchanged(api, firm, before):
    assert {key: budget(api, firm, key) for key in before} == before
    assert api(firm.planner).get("/planning/periods/2026").json["planned"] == "150.00"


def refused(response, status=422, field=None):
    assert response.status_code == status, (response.status_code, response.json)
    error = response.json["error"]
    assert error["code"] == {400: "bad_request", 403: "forbidden", 404: "not_found", 422: "validation_error"}[status]
    if field:
        assert field in error["fields"], error


@pytest.mark.parametrize("amount, field", BAD_AMOUNTS + [("1500.00", None)])
def test_bad_planned_amounts_and_periods_change_nothing(app, firm, kit, api, planned_a1, amount, field):
    planner = api(firm.planner)
    url = f"/planning/engagements/{firm.e['a1']}/planned"
    if field:
        refused(planner.put(url, json={"amount": amount, "period": "2026-10"}), field=field)
        refused(planner.put(f"/planning/engagements/{firm.e['a2']}/planned", json={"amount": amount,
                                                                                  "period": "2026-10"}), field=field)
    else:  # a good amount with a bad period, or a bad body
        for period in ("2026-13", "26-09", "2026-9", "2026-00", "1999-12", "2026-Q3", "2026", "", None, 202609,
                       "2026/09", "２０２６-09"):
            refused(planner.put(url, json={"amount": amount, "period": period}), field="period")
        refused(planner.put(url, json={"amount": amount}), field="period")
        refused(planner.put(url, json={"amount": amount, "period": "2026-10", "comment": "x"}), field="comment")
        refused(planner.put(url, json={"amount": amount, "period": "2026-10", "version": 1}), field="version")
        refused(planner.put(url, json={}), field="amount")
        refused(planner.put(url, json=[{"amount": amount, "period": "2026-10"}]), 400)
        refused(planner.put(url, data="1500.00", content_type="application/json"), 400)
        refused(planner.put(url, data="{", content_type="application/json"), 400)
    unchanged(api, firm, planned_a1)


@pytest.mark.parametrize("amount, field", BAD_AMOUNTS)
def test_bad_refinements_and_actuals_change_nothing(app, firm, kit, api, planned_a1, amount, field):
    refused(api(firm.ann).post(f"/planning/engagements/{firm.e['a1']}/refinements",
                               json={"amount": amount, "comment": "x"}), field=field)
    refused(api(firm.bob).put(f"/planning/engagements/{firm.e['b1']}/actual", json={"amount": amount}), field=field)
    unchanged(api, firm, planned_a1)


def test_refinements_and_actuals_that_the_rules_refuse_change_nothing(app, firm, kit, api, planned_a1):
    ann, bob, planner = api(firm.ann), api(firm.bob), api(firm.planner)
    a1, a2, b1 = firm.e["a1"], firm.e["a2"], firm.e["b1"]
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1", "note": "x"}), field="note")
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1", "comment": 5}), field="comment")
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1", "comment": "x" * 1001}),
            field="comment")
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1", "comment": "a\x00b"}),
            field="comment")
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"comment": "no amount"}), field="amount")
    refused(ann.post(f"/planning/engagements/{a2}/refinements", json={"amount": "1"}), field="amount")  # not planned
    refused(bob.post(f"/planning/engagements/{b1}/refinements", json={"amount": "1"}), field="amount")  # won: closed
    refused(ann.put(f"/planning/engagements/{a1}/actual", json={"amount": "1"}), field="amount")  # not won
    refused(ann.put(f"/planning/engagements/{a2}/actual", json={"amount": "1"}), field="amount")
    refused(bob.put(f"/planning/engagements/{b1}/actual", json={"amount": "1", "period": "2026-09"}), field="period")
    refused(ann.post(f"/planning/engagements/{a1}/refinements", data="[]", content_type="application/json"), 400)
    refused(bob.put(f"/planning/engagements/{b1}/actual", data="x", content_type="text/plain"), 400)
    unchanged(api, firm, planned_a1)
    # a closed period's refinements and actuals are final, and its budgets do not move
    with app.app_context():
        services.close_period("2026-09", kit.user(firm.planner.id))
        commit()
    refused(ann.post(f"/planning/engagements/{a1}/refinements", json={"amount": "1"}), field="amount")
    refused(bob.put(f"/planning/engagements/{b1}/actual", json={"amount": "1"}), field="amount")
    refused(planner.put(f"/planning/engagements/{a1}/planned", json={"amount": "1", "period": "2026-10"}),
            field="period")
    refused(planner.put(f"/planning/engagements/{a2}/planned", json={"amount": "1", "period": "2026-09"}),
            field="period")
    unchanged(api, firm, planned_a1)


@pytest.mark.parametrize("url, status, field", [
    ("/periods/2026-13", 422, "period"), ("/periods/26-09", 422, "period"), ("/periods/2026-9", 422, "period"),
    ("/periods/1999", 422, "period"), ("/periods/2101-01", 422, "period"), ("/periods/2026-Q5", 422, "period"),
    ("/periods/%202026-09", 422, "period"), ("/periods/2026-09%20", 422, "period"), ("/periods/abcd", 422, "period"),
    ("/periods/%D9%A2%D9%A0%D9%A2%D9%A6", 422, "period"),
    ("/periods/2026-09?manager_id=abc", 422, "manager_id"), ("/periods/2026-09?manager_id=", 422, "manager_id"),
    ("/periods/2026-09?manager_id=0", 422, "manager_id"), ("/periods/2026-09?manager_id=999999", 422, "manager_id"),
    ("/periods/2026-09?manager_id=1&manager_id=2", 422, "manager_id"),
    ("/periods/2026-09?exhibition_id=999999", 422, "exhibition_id"),
    ("/periods/2026-09?exhibition_id=", 422, "exhibition_id"), ("/periods/2026-09?month=1", 422, "month"),
    ("/recommendation", 422, "period"), ("/recommendation?target=100", 422, "period"),
    ("/recommendation?period=2026-13&target=100", 422, "period"),
    ("/recommendation?period=2026-Q3&target=100", 422, "period"),
    ("/recommendation?period=&target=100", 422, "period"),
    ("/recommendation?period=2026-09&period=2026-10&target=100", 422, "period"),
    ("/recommendation?period=2026-09&target=-1", 422, "target"),
    ("/recommendation?period=2026-09&target=1.001", 422, "target"),
    ("/recommendation?period=2026-09&target=abc", 422, "target"),
    ("/recommendation?period=2026-09&target=", 422, "target"),
    ("/recommendation?period=2026-09&target=1&target=2", 422, "target"),
    ("/recommendation?period=2026-09&target=1&manager_id=1", 422, "manager_id"),
    ("/periods/2026-09/candidates", 422, "exhibition_id"),
    ("/periods/2026-09/candidates?exhibition_id=999999", 422, "exhibition_id"),
    ("/periods/2026-09/candidates?exhibition_id=abc", 422, "exhibition_id"),
    ("/periods/2026-09/candidates?exhibition_id=", 422, "exhibition_id"),
    ("/periods/2026-Q3/candidates?exhibition_id={show}", 422, "period"),
    ("/periods/2026-13/candidates?exhibition_id={show}", 422, "period"),
    ("/periods/2026-09/candidates?exhibition_id={show}&gap=abc", 422, "gap"),
    ("/periods/2026-09/candidates?exhibition_id={show}&gap=-5", 422, "gap"),
    ("/periods/2026-09/candidates?exhibition_id={show}&gap=", 422, "gap"),
    ("/periods/2026-09/candidates?exhibition_id={show}&gap=1&gap=2", 422, "gap"),
    ("/periods/2026-09/candidates?exhibition_id={show}&exhibition_id={show}", 422, "exhibition_id"),
    ("/engagements/abc", 404, None), ("/engagements/0", 404, None),
])
def test_bad_reads_are_a_json_4xx(app, firm, kit, api, planned_a1, url, status, field):
    response = api(firm.planner).get(f"/planning{url.format(show=firm.show.id)}")
    refused(response, status, field)
    unchanged(api, firm, planned_a1)


# --- the OpenAPI document -------------------------------------------------------------------------


def test_the_api_is_described_in_openapi(app):
    document = app.test_client().get("/api/v1/openapi.json").json
    paths = {path: set(item) for path, item in document["paths"].items() if path.startswith("/planning/")}
    assert paths == {"/planning/engagements/{engagement_id}": {"get"},
                     "/planning/engagements/{engagement_id}/planned": {"put"},
                     "/planning/engagements/{engagement_id}/refinements": {"post"},
                     "/planning/engagements/{engagement_id}/actual": {"put"},
                     "/planning/periods/{period}": {"get"}, "/planning/recommendation": {"get"},
                     "/planning/periods/{period}/candidates": {"get"}}
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/planning/")}
    assert len(served) == len(paths)
    schemas = document["components"]["schemas"]
    for path in paths:
        for operation in document["paths"][path].values():
            for name in str(operation).split("#/components/schemas/")[1:]:
                assert name.split("'")[0] in schemas
    assert schemas["PlanningPlannedInput"]["additionalProperties"] is False
    assert schemas["PlanningPlannedInput"]["required"] == ["amount", "period"]
    assert set(schemas["PlanningBudget"]["properties"]) == {"engagement_id", "period", "planned", "refined", "actual",
                                                            "history"}
    period = document["paths"]["/planning/periods/{period}"]["get"]
    assert {p["name"]: p["in"] for p in period["parameters"]} == {"period": "path", "manager_id": "query",
                                                                  "exhibition_id": "query"}
    assert {"401", "404", "422"} <= set(period["responses"])
    refine = document["paths"]["/planning/engagements/{engagement_id}/refinements"]["post"]
    assert "201" in refine["responses"] and {"400", "403", "404", "422"} <= set(refine["responses"])
