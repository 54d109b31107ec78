"""The managers' cross-statistics and their flags, the API's shapes, bad input and access."""
from __future__ import annotations

import math

import pytest

from expo.hooks import db_session, models
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario, walk

pytestmark = pytest.mark.plugins("funnel")


def test_the_z_score_is_the_pooled_two_proportion_statistic():
    from expo_funnel.managers import Test, z_score

    # 6 of 10 against 2 of 20: pooled 8/30; se = sqrt(p(1-p)(1/10 + 1/20))
    pooled = 8 / 30
    assert z_score(6, 10, 2, 20) == pytest.approx((0.6 - 0.1) / math.sqrt(pooled * (1 - pooled) * 0.15))
    assert z_score(0, 0, 2, 20) is None and z_score(0, 10, 0, 20) is None  # nothing decided; nobody dropped
    assert Test(5, 10).critical_z == pytest.approx(1.6449, abs=1e-4)


@pytest.fixture
def team(app, make_user):
    """Three managers, ten engagements each at the contact step: Анна's clients drop 6 of 10,
    Борис's and Вера's 1 of 10 each — Анна is significantly worse there (z ≈ 3.4 > 1.645).
    Борис's won contracts are larger: his count conversion is lower but his money conversion higher."""
    planner = make_user("planner")
    staff = {name: make_user("manager", name=name) for name in ("Анна", "Борис", "Вера")}
    with app.app_context():
        author = db_session().get(models.User, planner.id)
        scenario = new_scenario(author)
        show = new_exhibition(author)
        plan = {"Анна": (6, 3, "100", "100"), "Борис": (1, 1, "100", "900"), "Вера": (1, 2, "100", "100")}
        for name, (refused, won, expected, contract) in plan.items():
            manager = staff[name]
            for i in range(10):
                client = new_client(author, name=f"{name} {i}", manager_id=manager.id)
                engagement = new_engagement(author, client, show, scenario_id=scenario.id, manager_id=manager.id,
                                            expected_amount=expected)
                if i < refused:
                    walk(engagement, author, "no")
                elif i < refused + won:
                    from expo.hooks import update_engagement

                    update_engagement(engagement, {"contract_amount": contract}, author)
                    db_session().commit()
                    walk(engagement, author, "interested", "ok", "signed")
                else:
                    walk(engagement, author, "interested")
    return planner, staff


def test_the_manager_who_loses_more_at_a_step_is_flagged(team, api):
    planner, staff = team
    body = api(planner).get("/funnel/managers").json
    flagged = {(c["manager_id"], c["step"]) for c in body["matrix"] if c["flagged"]}
    assert flagged == {(staff["Анна"].id, "contact")}
    cell = next(c for c in body["matrix"] if c["manager_id"] == staff["Анна"].id and c["step"] == "contact")
    assert cell["drop_rate"] == "0.6000"
    rows = {r["name"]: r for r in body["managers"]}
    assert (rows["Анна"]["worked"], rows["Анна"]["won"], rows["Анна"]["conversion_count"]) == (10, 3, "0.3333")
    assert rows["Борис"]["conversion_count"] == "0.5000" and rows["Вера"]["conversion_count"] == "0.6667"
    assert rows["Борис"]["conversion_financial"] == "0.9000" and rows["Вера"]["conversion_financial"] == "0.2000"
    assert rows["Борис"]["won_amount"] == "900.00" and rows["Анна"]["avg_cycle_days"] == "0.0"
    assert body["test"] == {"level_percent": 5, "min_sample": 10}


def test_too_small_a_sample_flags_nobody(team, api, make_app):
    planner, _staff = team
    body = api(planner, make_app(FUNNEL_MIN_SAMPLE=11)).get("/funnel/managers").json
    assert not any(c["flagged"] for c in body["matrix"])


@pytest.mark.parametrize("query, field", [
    ("scenario_id=999999", "scenario_id"), ("exhibition_id=999999", "exhibition_id"),
    ("manager_id=999999", "manager_id"), ("period_from=2026-13-01", "period_from"),
    ("period_from=2026-05-02&period_to=2026-05-01", "period_to"), ("period_to=", "period_to")])
def test_the_api_refuses_bad_filters(linear, api, query, field):
    for path in ("/funnel", "/funnel/managers", "/funnel/engagements"):
        response = api(linear.planner).get(f"{path}?{query}")
        assert response.status_code == 422 and field in response.json["error"]["fields"], (path, response.json)


def test_a_version_of_another_scenario_is_refused(linear, api, app, kit):
    other = kit.build(app, linear.planner.id, kit.LOOP, {})
    response = api(linear.planner).get(f"/funnel?scenario_id={linear.scenario_id}&version_id={other['scenario_id']}")
    assert response.status_code == 422 and "version_id" in response.json["error"]["fields"]
    own = api(linear.planner).get(f"/funnel?scenario_id={linear.scenario_id}&version_id={linear.scenario_id}")
    assert own.status_code == 200 and own.json["steps"][0]["entered"] == 6


@pytest.mark.parametrize("query", ["kind=sideways", "kind=dropped", "kind=closed&step=contact"])
def test_the_drill_down_refuses_a_number_that_is_none(linear, api, query):
    assert api(linear.planner).get(f"/funnel/engagements?{query}").status_code == 422


@pytest.mark.parametrize("query, names", [
    ("kind=dropped&step=contact", {"no"}), ("kind=passed&step=presentation", {"won", "price"}),
    ("kind=in_progress&step=presentation", {"now"}), ("kind=won", {"won"}), ("kind=lost&step=offer", {"price"}),
    ("kind=lost&result=refused", {"no", "pres"}), ("kind=open", {"now", "new"}),
    ("kind=closed", {"won", "no", "pres", "price"})])
def test_the_drill_down_lists_the_engagements_behind_a_number(linear, api, query, names):
    body = api(linear.planner).get(f"/funnel/engagements?{query}").json
    assert {e["client"].removeprefix("Клиент ") for e in body["items"]} == names and body["total"] == len(names)


def test_a_manager_sees_only_their_numbers_in_the_api(linear, api, kit, app):
    kit.reassign(app, linear.ids["price"], linear.bob.id, linear.planner.id)
    bob = api(linear.bob)
    assert bob.get("/funnel").json["steps"][0]["entered"] == 1
    assert [r["name"] for r in bob.get("/funnel/managers").json["managers"]] == ["Борис"]
    assert {e["client"] for e in bob.get("/funnel/engagements?kind=worked").json["items"]} == {"Клиент price"}
    assert bob.get(f"/funnel?manager_id={linear.ann.id}").status_code == 404
    assert api(linear.viewer).get("/funnel").json["steps"][0]["entered"] == 6  # a viewer reads the whole firm


def test_deleted_clients_leave_the_funnel(linear, api, app, make_user):
    response = api(make_user("planner", grants=["clients.delete"])).delete(f"/clients/{_client_of(app, linear.ids['no'])}")
    assert response.status_code in (200, 204), response.json
    body = api(linear.planner).get("/funnel").json
    assert body["steps"][0]["entered"] == 5 and body["steps"][0]["dropped"] == 0


def _client_of(app, engagement_id):
    with app.app_context():
        return db_session().get(models.Engagement, engagement_id).client_id
