"""Saving scenario definitions as versions, exporting them, and choosing the default.

Editing a version that engagements already use creates the next version of the lineage;
running engagements keep theirs. An unused version is edited in place.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from expo.core import access, db
from expo.core.access import Actor
from expo.core.errors import ValidationError
from expo.core.models import (SYSTEM, Engagement, Scenario, ScenarioAction, ScenarioOutcome, ScenarioResult,
                              ScenarioStep, utcnow)
from expo.core.scenarios.definition import validate
from expo.core.services import audit, refusing_duplicates


class ScenarioInvalid(ValidationError):
    """A definition with problems; ``fields`` maps each path to its message."""

    def __init__(self, problems: list[str]):
        fields = {}
        for problem in problems:
            path, sep, message = problem.partition(": ")
            fields.setdefault(path if sep else "definition", message if sep else problem)
        super().__init__(_l("The scenario has %(n)d problem(s).", n=len(problems)), fields=fields)
        self.problems = problems


def to_definition(scenario: Scenario) -> dict[str, Any]:
    """The JSON definition of a stored version (export, editor, API)."""
    def action(a: ScenarioAction) -> dict:
        out = {"title": a.title, "deadline_days": a.deadline_days, "hard": a.hard}
        for name in ("instructions", "escalate_to", "document_template"):
            if getattr(a, name):
                out[name] = getattr(a, name)
        return out

    def outcome(o: ScenarioOutcome) -> dict:
        out = {"key": o.key, "title": o.title}
        out.update({"next": o.next_step} if o.next_step else {"result": o.result})
        return out

    return {
        "name": scenario.name,
        "steps": [{"key": s.key, "title": s.title, "actions": [action(a) for a in s.actions],
                   "outcomes": [outcome(o) for o in s.outcomes]} for s in scenario.steps],
        # Optional fields appear only when set, so older exports and the DESIGN.md example round-trip.
        "results": [{"key": r.key, "title": r.title, "kind": r.kind, **({"reason": r.reason} if r.reason else {}),
                     **({"requires_amount": True} if r.requires_amount else {})}
                    for r in scenario.results],
    }


def _fill(scenario: Scenario, definition: dict) -> None:
    scenario.name = definition["name"].strip()
    scenario.steps = [
        ScenarioStep(
            key=step["key"], title=step["title"], position=i,
            actions=[ScenarioAction(position=j, title=a["title"], instructions=a.get("instructions") or None,
                                    deadline_days=a.get("deadline_days", 0), hard=a.get("hard", False),
                                    escalate_to=a.get("escalate_to"),
                                    document_template=a.get("document_template") or None)
                     for j, a in enumerate(step.get("actions", []))],
            outcomes=[ScenarioOutcome(key=o["key"], title=o["title"], position=j, next_step=o.get("next") or None,
                                      result=o.get("result") or None)
                      for j, o in enumerate(step["outcomes"])],
        )
        for i, step in enumerate(definition["steps"])
    ]
    scenario.results = [ScenarioResult(key=r["key"], title=r["title"], kind=r["kind"], reason=r.get("reason") or None,
                                       requires_amount=r.get("requires_amount", False), position=i)
                        for i, r in enumerate(definition["results"])]


def in_use(scenario: Scenario) -> bool:
    return bool(db.session().scalar(select(func.count(Engagement.id)).where(Engagement.scenario_id == scenario.id)))


def draft_of(scenario: Scenario) -> Scenario | None:
    """The lineage's unpublished newer version, if a planner saved one."""
    return db.session().scalar(select(Scenario).where(Scenario.lineage_id == scenario.lineage_id,
                                                      Scenario.published_at.is_(None)))


def save_scenario(definition: Any, user: Actor, scenario: Scenario | None = None) -> Scenario:
    """Create a scenario (published at once), or change one. Changing a version engagements use
    saves a *draft* next version (or changes the lineage's existing draft): running and new
    engagements keep the published version until a planner publishes the draft. Planners and admins."""
    access.require_assign(user)
    problems = validate(definition)
    if problems:
        raise ScenarioInvalid(problems)
    session = db.session()
    if scenario is not None and not scenario.is_current and scenario.published_at is not None:
        raise ValidationError(_l("Only the newest version of a scenario can be edited."))
    if scenario is not None and scenario.published_at is not None and in_use(scenario):
        scenario = draft_of(scenario) or scenario  # the lineage's draft is changed, not a second one made
    if scenario is None:
        target = Scenario(version=1, is_current=True, created_by_id=user.id, published_at=utcnow())
        session.add(target)
    elif scenario.published_at is not None and in_use(scenario):
        target = Scenario(lineage_id=scenario.lineage_id, version=scenario.version + 1, is_current=False,
                          is_default=False, created_by_id=user.id, published_at=None)
        session.add(target)
    else:
        target = scenario
        # Delete the old rows first: the new ones reuse their unique keys.
        target.steps.clear()
        target.results.clear()
        session.flush()
    _fill(target, definition)
    # Two editors saving the same version at once both make "the next version": the second is refused.
    with refusing_duplicates(_l("Someone else saved this scenario a moment ago; reload and try again."),
                             uq_scenarios_lineage_id_version=("definition", _l("Saved by someone else meanwhile.")),
                             uq_scenario_steps_scenario_id_key=("definition", _l("Saved by someone else meanwhile."))):
        session.flush()
    if target.lineage_id is None:
        target.lineage_id = target.id
    audit.record("create" if scenario is None else "update", "scenario", target.id, user,
                 name=target.name, version=target.version)
    if db.session().scalar(select(func.count(Scenario.id)).where(Scenario.is_default)) == 0:
        target.is_default = True  # the first scenario a firm makes is its default
    with refusing_duplicates(_l("Another request installed the default scenario a moment ago; try again."),
                             uq_scenarios_default=("scenario_id", _l("Installed by another request meanwhile."))):
        session.flush()
    return target


def publish(scenario: Scenario, user: Actor) -> Scenario:
    """Make a draft the lineage's current version: new engagements start on it, and it is the
    default if the lineage was. Engagements already running keep their version."""
    access.require_assign(user)
    if scenario.published_at is not None:
        raise ValidationError(_l("This version is already published."))
    previous = current_version(scenario.id)
    was_default = bool(previous and previous.is_default)
    if previous is not None:
        previous.is_current = False
        previous.is_default = False
        db.session().flush()  # free the one-default index before the draft takes it
    scenario.is_current = True
    scenario.is_default = was_default
    scenario.published_at = utcnow()
    db.session().flush()
    audit.record("publish", "scenario", scenario.id, user, name=scenario.name, version=scenario.version)
    return scenario


def make_default(scenario: Scenario, user: Actor) -> None:
    """Make a lineage the default (given any of its versions, its newest becomes the default)."""
    access.require_assign(user)
    scenario = current_version(scenario.id)
    db.session().execute(update(Scenario).where(Scenario.is_default).values(is_default=False))
    scenario.is_default = True
    db.session().flush()
    audit.record("make_default", "scenario", scenario.id, user)


def current_scenarios() -> list[Scenario]:
    return list(db.session().scalars(select(Scenario).where(Scenario.is_current).order_by(Scenario.name)))


def drafts() -> dict[int, Scenario]:
    """``{lineage id: its draft version}`` (one statement), for the scenarios list."""
    return {s.lineage_id: s for s in db.session().scalars(select(Scenario).where(Scenario.published_at.is_(None)))}


def default_scenario() -> Scenario:
    """The firm's default scenario; the core template is installed as the default if there is none."""
    from expo.core.scenarios.templates import template

    found = db.session().scalar(select(Scenario).where(Scenario.is_default, Scenario.is_current))
    return found or save_scenario(template("exhibition").definition, SYSTEM)


def current_version(scenario_id: int) -> Scenario | None:
    """The newest version of the lineage ``scenario_id`` belongs to."""
    scenario = db.session().get(Scenario, scenario_id)
    if scenario is None:
        return None
    return db.session().scalar(select(Scenario).where(Scenario.lineage_id == scenario.lineage_id,
                                                      Scenario.is_current))


def usage_counts() -> dict[int, int]:
    """``{scenario version id: engagements on it}`` (one grouped statement)."""
    return dict(db.session().execute(
        select(Engagement.scenario_id, func.count()).group_by(Engagement.scenario_id)).all())


def versions(scenario: Scenario) -> list[Scenario]:
    """Every version of the scenario's lineage, newest first."""
    return db.session().scalars(select(Scenario).where(Scenario.lineage_id == scenario.lineage_id)
                                .order_by(Scenario.version.desc())).all()
