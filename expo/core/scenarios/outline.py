"""A scenario version as the engagement page reads it: its steps with their actions and outcomes,
and its results — plain read-only objects from one statement.

The ORM's ``Scenario`` loads the same in five statements (the version, its steps, their actions
and outcomes, its results) and builds an object per row; the engagement page, opened all day,
needs only titles and keys (docs/performance.md, "Fixed cost per request"). Writes and the editor
keep using the models.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import String, bindparam, cast, literal, null, select, union_all

from expo.core import db
from expo.core.models import Scenario, ScenarioAction, ScenarioOutcome, ScenarioResult, ScenarioStep


@dataclass(frozen=True)
class Action:
    id: int
    title: str
    document_template: str | None


@dataclass(frozen=True)
class Outcome:
    key: str
    title: str
    next_step: str | None
    result: str | None


@dataclass
class Step:
    key: str
    title: str
    actions: list[Action] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def outcome(self, key: str | None) -> Outcome | None:
        return next((o for o in self.outcomes if o.key == key), None)


@dataclass(frozen=True)
class Result:
    key: str
    title: str
    kind: str
    reason: str | None


@dataclass
class Outline:
    id: int
    name: str
    version: int
    steps: dict[str, Step] = field(default_factory=dict)  # in the scenario's order
    results: dict[str, Result] = field(default_factory=dict)

    def step(self, key: str | None) -> Step | None:
        return self.steps.get(key) if key is not None else None

    def result(self, key: str | None) -> Result | None:
        return self.results.get(key) if key is not None else None


def outline(scenario_id: int | None) -> Outline | None:
    """The version ``scenario_id`` (None or unknown: None)."""
    if scenario_id is None:
        return None
    found = None
    for kind, key, title, step_key, number, first, second in db.rows(_STATEMENT, {"scenario_id": scenario_id}):
        if kind == "scenario":
            found = Outline(number, title, int(first))
        elif kind == "step":
            found.steps[key] = Step(key, title)
        elif kind == "action":
            found.steps[step_key].actions.append(Action(number, title, first))
        elif kind == "outcome":
            found.steps[step_key].outcomes.append(Outcome(key, title, first, second))
        else:
            found.results[key] = Result(key, title, first, second)
    return found


def _outline_statement():
    """One UNION ALL of the version's rows, in an order that builds it top-down: the version, its
    steps by position, then each step's actions and outcomes by position, then the results. Columns:
    kind, key, title, step key, a number (id), and two texts that mean what the kind says."""
    version = bindparam("scenario_id")
    text = cast(null(), String)
    rows = [
        select(literal("scenario").label("kind"), text.label("key"), Scenario.name.label("title"),
               text.label("step_key"), Scenario.id.label("number"), cast(Scenario.version, String).label("first"),
               text.label("second"), literal(0).label("part"), literal(0).label("step_position"),
               literal(0).label("position"))
        .where(Scenario.id == version),
        select(literal("step"), ScenarioStep.key, ScenarioStep.title, text, ScenarioStep.id, text, text,
               literal(1), ScenarioStep.position, literal(0))
        .where(ScenarioStep.scenario_id == version),
        select(literal("action"), text, ScenarioAction.title, ScenarioStep.key, ScenarioAction.id,
               ScenarioAction.document_template, text, literal(2), ScenarioStep.position, ScenarioAction.position)
        .join(ScenarioStep, ScenarioStep.id == ScenarioAction.step_id).where(ScenarioStep.scenario_id == version),
        select(literal("outcome"), ScenarioOutcome.key, ScenarioOutcome.title, ScenarioStep.key, ScenarioOutcome.id,
               ScenarioOutcome.next_step, ScenarioOutcome.result, literal(3), ScenarioStep.position,
               ScenarioOutcome.position)
        .join(ScenarioStep, ScenarioStep.id == ScenarioOutcome.step_id).where(ScenarioStep.scenario_id == version),
        select(literal("result"), ScenarioResult.key, ScenarioResult.title, text, ScenarioResult.id,
               ScenarioResult.kind, ScenarioResult.reason, literal(4), ScenarioResult.position, literal(0))
        .where(ScenarioResult.scenario_id == version),
    ]
    every = union_all(*rows).subquery()
    c = every.c
    return (select(c.kind, c.key, c.title, c.step_key, c.number, c.first, c.second)
            .order_by(c.part, c.step_position, c.position, c.number))


_STATEMENT = _outline_statement()
