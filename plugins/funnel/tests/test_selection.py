"""A page reads its selection from the rows its filter form read already (``Known``): the same
selection, and the same refusals, as reading it from the database."""
from __future__ import annotations

import pytest

from expo.hooks import ValidationError, db_session, models
from expo.testing import new_scenario, new_scenario_version


def both_ways(app, args: dict, user_id: int):
    """``(from the database, from the filter rows)``: each a Selection's fields, or its refusal."""
    from flask_login import login_user

    from expo_funnel.selection import Selection
    from expo_funnel.views import _filter_rows, _known

    found = []
    with app.test_request_context():
        me = db_session().get(models.User, user_id)
        login_user(me)
        for known in (None, _known(_filter_rows())):
            try:
                sel = Selection.from_args(args, me, known)
                found.append(("ok", sel.scenario and (sel.scenario.id, sel.scenario.name, sel.scenario.lineage_id),
                              sel.version_ids, sel.version_id, sel.exhibition_id, sel.manager_id))
            except ValidationError as refused:
                found.append(("refused", refused.fields))
    return found


@pytest.fixture
def firm(linear, app, kit):
    """The linear firm, its scenario edited into a published version 2, a second scenario, and a
    deactivated manager (Борис)."""
    def retitle(definition):
        definition["steps"][0]["title"] = "Contact, v2"

    with app.app_context():
        planner = db_session().get(models.User, linear.planner.id)
        first = db_session().get(models.Scenario, linear.scenario_id)
        second_version = new_scenario_version(planner, first, retitle)
        other = new_scenario(planner, kit.BRANCHING)
        gone = db_session().get(models.User, linear.bob.id)
        gone.active = False
        db_session().commit()
        return {"planner": planner.id, "first": first.id, "second": second_version.id, "other": other.id,
                "gone": gone.id, "exhibition": linear.show_id, "ann": linear.ann.id}


@pytest.mark.parametrize("args", [
    {}, {"scenario_id": "first"}, {"scenario_id": "second"}, {"scenario_id": "other"},
    {"scenario_id": "first", "version_id": "first"}, {"scenario_id": "first", "version_id": "other"},
    {"scenario_id": "999999"}, {"exhibition_id": "exhibition"}, {"exhibition_id": "999999"},
    {"manager_id": "ann"}, {"manager_id": "gone"}, {"manager_id": "999999"},
])
def test_the_filter_rows_give_the_same_selection_as_the_database(firm, app, args):
    args = {key: str(firm.get(value, value)) for key, value in args.items()}
    from_database, from_rows = both_ways(app, args, firm["planner"])
    assert from_rows == from_database
    if args.get("scenario_id") in (str(firm["first"]), str(firm["second"])) and "version_id" not in args:
        assert from_rows[0] == "ok" and set(from_rows[2]) == {firm["first"], firm["second"]}


def test_the_page_leaves_out_a_deleted_clients_engagements_as_the_api_does(linear, app, api, login_as, make_user, kit):
    """The page learns that some client waits in the bin from its filter form's statement (not one
    of its own): its numbers are the API's, with and without a deleted client."""
    import re

    def entered_at_contact(html: str) -> int:
        row = re.search(r'<tr id="step-contact"[^>]*><td>[^<]+</td>\s*<td class="num">(?:<a [^>]+>)?(\d+)', html)
        return int(row.group(1))

    page = login_as(linear.planner)
    assert entered_at_contact(page.get("/funnel/").get_data(as_text=True)) == 6
    with app.app_context():
        client_id = kit.engagement(linear.ids["price"]).client_id
    deleter = make_user("planner", grants=["clients.delete"])
    assert api(deleter).delete(f"/clients/{client_id}").status_code in (200, 204)
    steps = {s["key"]: s["entered"] for s in api(linear.planner).get("/funnel").json["steps"]}
    assert steps["contact"] == 5
    assert entered_at_contact(page.get("/funnel/").get_data(as_text=True)) == 5
