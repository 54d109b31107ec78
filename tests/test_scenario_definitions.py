"""Scenario definitions: each validation rule, versions, templates, import/export round trip."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from expo.core import db
from expo.core.models import Scenario, User
from expo.core.scenarios import store
from expo.core.scenarios.definition import validate
from expo.core.scenarios.templates import all_templates
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario


def _definition(**changes):
    definition = copy.deepcopy(DESIGN_EXAMPLE)
    definition.update(changes)
    return definition


def test_the_design_example_is_valid(app):
    with app.test_request_context():
        assert validate(copy.deepcopy(DESIGN_EXAMPLE)) == []


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d.update(steps=[], results=[]), ["A scenario needs at least one step.",
                                                "A scenario needs at least one result."]),
    (lambda d: d["steps"][1].update(key="contact"), ["steps[0].outcomes[0].next: points to no step 'presentation'",
                                                     "steps[1].key: repeats the key 'contact'"]),
    (lambda d: d["steps"][0]["outcomes"][1].update(key="interested"),
     ["steps[0].outcomes[1].key: repeats the key 'interested'"]),
    (lambda d: d["results"][2].update(key="refused"), ["results[2].key: repeats the key 'refused'",
                                                       "steps[2].outcomes[1].result: points to no result 'refused_price'"]),
    (lambda d: d["steps"][0]["outcomes"][0].update(next="nowhere"),
     ["steps[0].outcomes[0].next: points to no step 'nowhere'"]),
    (lambda d: d["steps"][2]["outcomes"][1].update(result="ghost"),
     ["steps[2].outcomes[1].result: points to no result 'ghost'"]),
    (lambda d: d["steps"][2]["outcomes"][0].update(next="offer"),
     ["steps[2].outcomes[0]: must lead either to a next step or to a result"]),
    (lambda d: d["results"][0].update(kind="maybe"),
     ["results[0].kind: unknown result kind; use one of: won, lost, declined"]),
    (lambda d: d["steps"][0]["actions"][0].update(deadline_days=-1, escalate_to="ceo"),
     ["steps[0].actions[0].deadline_days: must be a whole number of days from 0 to 3650",
      "steps[0].actions[0].escalate_to: must be one of: manager, planner, admin"]),
    (lambda d: d["steps"][0]["actions"][0].update(document_template="{% if %}"),
     ["steps[0].actions[0].document_template: template error: Expected an expression, got 'end of statement block'"]),
    (lambda d: d["steps"][0]["outcomes"][0].update(result=["x"], next=None),
     ["steps[0].outcomes[0]: 'next' and 'result' must be keys (text)"]),
])
def test_each_rule_reports_its_problem(app, mutate, expected):
    definition = copy.deepcopy(DESIGN_EXAMPLE)
    mutate(definition)
    with app.test_request_context():
        assert validate(definition) == expected


def test_a_loop_that_can_reach_no_result_is_found(app):
    definition = _definition(steps=[
        {"key": "a", "title": "A", "outcomes": [{"key": "go", "title": "Go", "next": "b"},
                                                {"key": "end", "title": "End", "result": "contract"}]},
        {"key": "b", "title": "B", "outcomes": [{"key": "go", "title": "Go", "next": "c"}]},
        {"key": "c", "title": "C", "outcomes": [{"key": "back", "title": "Back", "next": "b"}]},
    ])
    with app.test_request_context():
        assert validate(definition) == ["steps[1]: step 'b' can reach no result", "steps[2]: step 'c' can reach no result"]


def test_not_an_object_and_every_problem_at_once(app):
    with app.test_request_context():
        assert validate(["x"]) == ["A scenario definition must be a JSON object."]
        problems = validate({"name": "", "steps": [{"key": "bad key!", "outcomes": []}], "results": [{"kind": "won"}]})
    assert len(problems) >= 6 and "name: is required" in problems


def test_the_core_template_is_valid_and_offered(app):
    with app.test_request_context():
        templates = all_templates()
        core = templates[0]
        assert core.key == "exhibition" and validate(core.definition) == []
        assert [s["key"] for s in core.definition["steps"]] == ["contact", "materials", "presentation", "offer"]
        reasons = {r.get("reason") for r in core.definition["results"] if r["kind"] == "lost"}
        assert reasons == {"price", "quality", "timing", "no_budget", "competitor"}
        assert any(r["kind"] == "declined" for r in core.definition["results"])


def test_export_round_trips(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        scenario = new_scenario(db.session().get(User, planner.id))
        assert store.to_definition(scenario) == DESIGN_EXAMPLE


def test_editing_an_unused_scenario_changes_it_in_place(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        scenario = new_scenario(planner)
        store.save_scenario(_definition(name="Renamed"), planner, scenario)
        db.commit()
        assert [(s.version, s.name) for s in db.session().scalars(select(Scenario))] == [(1, "Renamed")]


def test_editing_a_used_scenario_makes_a_new_version_and_running_engagements_keep_theirs(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        v1 = new_scenario(planner)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner), scenario_id=v1.id)
        changed = _definition(name="Exhibition sales 2")
        changed["steps"][0]["title"] = "First call"
        v2 = store.save_scenario(changed, planner, v1)
        db.commit()
        # the new version is a draft: the published one stays current and default until it is published
        assert (v2.version, v2.lineage_id, v2.is_current, v1.is_current) == (2, v1.id, False, True)
        assert v2.published_at is None and v1.is_default and not v2.is_default
        draft_start = new_engagement(planner, new_client(planner), new_exhibition(planner, name="Черновик"),
                                     scenario_id=v2.id)  # even the draft's own id starts the published version
        assert draft_start.scenario_id == v1.id
        store.publish(v2, planner)
        db.commit()
        assert (v2.is_current, v1.is_current) == (True, False)
        assert v2.is_default and not v1.is_default
        db.session().refresh(engagement)
        assert engagement.scenario_id == v1.id and engagement.scenario.steps[0].title == "Establish contact"
        later = new_engagement(planner, new_client(planner), new_exhibition(planner, name="Другая"),
                               scenario_id=v1.id)  # an old id still starts the newest version
        assert later.scenario_id == v2.id
        with pytest.raises(Exception):
            store.save_scenario(changed, planner, v1)  # only the newest version is editable


def test_the_first_engagement_installs_the_standard_scenario_as_default(app, make_user):
    planner = make_user("planner")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner))
        assert engagement.scenario.is_default and engagement.step == "contact"
        assert len(engagement.scenario.steps) == 4


def test_the_core_template_is_valid_in_russian_too(make_app):
    from flask_babel import force_locale

    app = make_app(LOCALE="ru")
    with app.test_request_context(), force_locale("ru"):
        definition = all_templates()[0].definition
        assert validate(definition) == []
        assert definition["name"] != "Exhibition participation"  # it is translated


def test_a_step_no_outcome_leads_to_is_refused(app, make_user):
    definition = _definition(steps=[
        {"key": "a", "title": "A", "outcomes": [{"key": "end", "title": "End", "result": "contract"}]},
        {"key": "orphan", "title": "Forgotten", "outcomes": [{"key": "end", "title": "End", "result": "contract"}]},
    ])
    with app.test_request_context():
        assert validate(definition) == ["steps[1]: no outcome leads to this step"]
        with pytest.raises(store.ScenarioInvalid):
            store.save_scenario(definition, make_user("planner"))


def test_shipped_and_example_scenarios_pass_the_reachability_rule(app):
    from expo.core.scenarios.templates import all_templates
    from expo.testing.factories import LOOP_EXAMPLE

    with app.test_request_context():
        for definition in [DESIGN_EXAMPLE, LOOP_EXAMPLE, *(t.definition for t in all_templates())]:
            assert validate(copy.deepcopy(definition)) == []


def test_requires_amount_must_be_true_or_false(app):
    definition = copy.deepcopy(DESIGN_EXAMPLE)
    definition["results"][0]["requires_amount"] = "yes"
    with app.test_request_context():
        assert validate(definition) == ["results[0].requires_amount: must be true or false"]
