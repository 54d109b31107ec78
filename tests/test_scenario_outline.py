"""The engagement page's one-statement read of a scenario version (expo.core.scenarios.outline)
says what the models say: the same steps, actions, outcomes and results, in the same order."""
from __future__ import annotations

import copy

import pytest

from expo.core import db
from expo.core.models import Scenario, User
from expo.core.scenarios.outline import outline
from expo.testing import DESIGN_EXAMPLE, LOOP_EXAMPLE, new_scenario


@pytest.mark.parametrize("definition", [DESIGN_EXAMPLE, LOOP_EXAMPLE], ids=["design", "loop"])
def test_the_outline_is_the_version(app, make_user, definition):
    planner = make_user("planner")
    definition = copy.deepcopy(definition)
    with_actions = next((step for step in definition["steps"] if step.get("actions")), None)
    if with_actions:
        with_actions["actions"][0]["document_template"] = "Dear {{ client.name }}"
    with app.app_context():
        scenario = new_scenario(db.session().get(User, planner.id), definition)
        scenario = db.session().get(Scenario, scenario.id)
        found = outline(scenario.id)
        assert (found.id, found.name, found.version) == (scenario.id, scenario.name, scenario.version)
        assert list(found.steps) == [step.key for step in scenario.steps]
        for step in scenario.steps:
            read = found.step(step.key)
            assert read.title == step.title
            assert [(a.id, a.title, a.document_template) for a in read.actions] == \
                [(a.id, a.title, a.document_template) for a in step.actions]
            assert [(o.key, o.title, o.next_step, o.result) for o in read.outcomes] == \
                [(o.key, o.title, o.next_step, o.result) for o in step.outcomes]
            for o in step.outcomes:
                assert read.outcome(o.key).title == o.title
        assert [(r.key, r.title, r.kind, r.reason) for r in found.results.values()] == \
            [(r.key, r.title, r.kind, r.reason) for r in scenario.results]
        assert found.step(None) is None and found.step("no-such-step") is None and found.result(None) is None


def test_no_version_no_outline(app):
    with app.app_context():
        assert outline(None) is None
        assert outline(2**31 - 1) is None
