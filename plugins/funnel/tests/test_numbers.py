"""Every number of the funnel against hand-computed expectations (see conftest's fixtures): a
linear scenario, a branching one, one with a loop; reassignment and reopening keep the counts."""
from __future__ import annotations

import pytest

from expo.testing import reopen, walk

pytestmark = pytest.mark.plugins("funnel")


def _steps(body):
    return {s["key"]: (s["entered"], s["passed"], s["dropped"], s["in_progress"], s["drop_rate"]) for s in body["steps"]}


def test_a_linear_scenario(linear, api):
    body = api(linear.planner).get(f"/funnel?scenario_id={linear.scenario_id}").json
    assert [s["key"] for s in body["steps"]] == ["contact", "presentation", "offer"]
    assert _steps(body) == {"contact": (6, 4, 1, 1, "0.2000"), "presentation": (4, 2, 1, 1, "0.3333"),
                            "offer": (2, 1, 1, 0, "0.5000")}
    assert sorted((r["key"], r["kind"], r["reason"], r["count"]) for r in body["results"]) == [
        ("contract", "won", None, 1), ("refused", "lost", None, 2), ("refused_price", "lost", "price", 1)]
    assert sorted((r["key"], r["step"], r["count"]) for r in body["reasons"]) == [
        ("refused", "contact", 1), ("refused", "presentation", 1), ("refused_price", "offer", 1)]
    assert body["conversion"] == {"count": "0.2500", "of_entered": "0.1667", "financial": "0.2553"}  # 120 / 470


@pytest.mark.parametrize("min_decided, weakest", [(2, "offer"), (3, "presentation"), (6, None)])
def test_the_weakest_step_needs_enough_decided_engagements(linear, make_app, api, min_decided, weakest):
    app = make_app(FUNNEL_WEAKEST_MIN_DECIDED=min_decided)
    assert api(linear.planner, app).get("/funnel").json["weakest_step"] == weakest  # the default scenario


def test_a_branching_scenario_counts_every_path_into_a_step(app, make_user, api, kit):
    planner = make_user("planner")
    built = kit.build(app, planner.id, kit.BRANCHING, {
        "b1": ("meet", "ok", "signed"), "b2": ("call", "ok", "price"), "b3": ("call", "later"), "b4": ("meet", "ok")})
    body = api(planner).get(f"/funnel?scenario_id={built['scenario_id']}").json
    assert _steps(body) == {"contact": (4, 4, 0, 0, "0.0000"), "meeting": (2, 2, 0, 0, "0.0000"),
                            "call": (2, 1, 1, 0, "0.5000"), "offer": (3, 1, 1, 1, "0.5000")}
    assert body["conversion"]["count"] == "0.3333" and body["conversion"]["of_entered"] == "0.2500"


def test_a_loop_counts_an_engagement_once_per_step(app, make_user, api, kit):
    planner = make_user("planner")
    built = kit.build(app, planner.id, kit.LOOP, {"l1": ("go", "revise", "go", "signed"), "l2": ("go", "revise"),
                                          "l3": ("no",)})
    body = api(planner).get(f"/funnel?scenario_id={built['scenario_id']}").json
    assert _steps(body) == {"contact": (3, 1, 1, 1, "0.5000"), "offer": (2, 2, 0, 0, "0.0000")}
    assert [(r["key"], r["kind"], r["count"]) for r in body["reasons"]] == [("refused", "declined", 1)]
    listed = api(planner).get(f"/funnel/engagements?scenario_id={built['scenario_id']}&step=contact&kind=entered")
    assert listed.json["total"] == 3 and len({e["id"] for e in listed.json["items"]}) == 3


def test_reopening_and_reassigning_keep_the_counts(app, linear, api, kit):
    with app.app_context():
        reopen(kit.engagement(linear.ids["no"]), kit.user(linear.planner.id))  # back on contact, no longer dropped
    body = api(linear.planner).get("/funnel").json
    assert _steps(body)["contact"] == (6, 4, 0, 2, "0.0000")
    assert sorted((r["key"], r["count"]) for r in body["results"]) == [("contract", 1), ("refused", 1),
                                                                       ("refused_price", 1)]
    with app.app_context():
        walk(kit.engagement(linear.ids["no"]), kit.user(linear.planner.id), "interested")  # on to the presentation
    assert _steps(api(linear.planner).get("/funnel").json)["presentation"] == (5, 2, 1, 2, "0.3333")

    kit.reassign(app, linear.ids["price"], linear.bob.id, linear.planner.id)
    for_ann = api(linear.planner).get(f"/funnel?manager_id={linear.ann.id}").json
    for_bob = api(linear.planner).get(f"/funnel?manager_id={linear.bob.id}").json
    assert _steps(for_bob) == {"contact": (1, 1, 0, 0, "0.0000"), "presentation": (1, 1, 0, 0, "0.0000"),
                               "offer": (1, 0, 1, 0, "1.0000")}
    assert _steps(for_ann)["offer"] == (1, 1, 0, 0, "0.0000")
    assert for_ann["conversion"]["count"] == "0.5000"  # won / (won + refused at the presentation)


def test_filters_narrow_every_number_and_an_empty_selection_is_zeros(linear, api):
    planner = api(linear.planner)
    moscow = planner.get("/funnel?region=Москва").json
    assert _steps(moscow)["contact"] == (5, 4, 1, 0, "0.2000")  # "new" is in Kazan
    empty = planner.get(f"/funnel?exhibition_id={linear.empty_show_id}").json
    assert _steps(empty) == {"contact": (0, 0, 0, 0, None), "presentation": (0, 0, 0, 0, None),
                             "offer": (0, 0, 0, 0, None)}
    assert empty["conversion"] == {"count": None, "of_entered": None, "financial": None}
    assert empty["weakest_step"] is None and empty["results"] == []
    future = planner.get("/funnel?period_from=2099-01-01").json
    assert _steps(future)["contact"][0] == 0


def test_the_trend_by_month_of_closing(app, linear):
    from expo.hooks import SYSTEM
    from expo_funnel import queries
    from expo_funnel.selection import Selection

    with app.app_context():
        months = queries.trend(queries.by_month_of_closing(Selection.from_args({}, SYSTEM)))
    assert len(months) == 1 and (months[0].closed, months[0].won) == (4, 1)
    assert (months[0].count, months[0].financial) == (queries.rate(1, 4), queries.rate(120, 430))  # closed: 100+50+80+200


def test_the_count_tables_agree_with_the_log_after_every_kind_of_change(app, linear, api, kit, make_app, make_user):
    """Every number read from the count tables equals the same number counted from the log."""
    from expo.hooks import update_engagement

    looped = kit.build(app, linear.planner.id, kit.LOOP, {"l1": ("go", "revise", "go", "signed"), "l2": ("go",)},
                       manager_id=linear.bob.id)
    with app.app_context():
        reopen(kit.engagement(linear.ids["pres"]), kit.user(linear.planner.id))
        update_engagement(kit.engagement(linear.ids["now"]), {"expected_amount": "55"}, kit.user(linear.planner.id))
        from expo.hooks import db_session

        db_session().commit()
    kit.reassign(app, linear.ids["won"], linear.bob.id, linear.planner.id)
    kit.reassign(app, looped["ids"]["l2"], None, linear.planner.id)
    deleter = make_user("planner", grants=["clients.delete"])
    with app.app_context():
        client_id = kit.engagement(linear.ids["price"]).client_id
    assert api(deleter).delete(f"/clients/{client_id}").status_code in (200, 204)
    from_log = make_app(FUNNEL_COUNTS=False)
    for query in ("", f"?manager_id={linear.bob.id}", f"?exhibition_id={linear.show_id}",
                  f"?scenario_id={looped['scenario_id']}", f"?scenario_id={looped['scenario_id']}&manager_id="
                  f"{linear.bob.id}"):
        for path in ("/funnel", "/funnel/managers"):
            counted, logged = api(linear.planner).get(path + query).json, api(linear.planner, from_log).get(path + query).json
            assert counted == logged, (path, query)
    body = api(linear.planner).get("/funnel").json
    assert _steps(body)["contact"][0] == 5  # the deleted client's engagement left the numbers
