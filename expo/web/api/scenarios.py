"""/api/v1/scenarios, engagement outcomes and history, and tasks."""
from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import access, db
from expo.core.errors import NotFound, ValidationError
from expo.core.models import Scenario, Task
from expo.core.scenarios import store
from expo.core.services import process, tasks
from expo.web.api import bp
from expo.web.api.common import (api_user, body, engagement_json, expected_version, fields_of, listing, paging,
                                 refuse_unknown)


def scenario_json(scenario: Scenario) -> dict:
    return {"id": scenario.id, "lineage_id": scenario.lineage_id, "version": scenario.version,
            "is_current": scenario.is_current, "is_default": scenario.is_default,
            "definition": store.to_definition(scenario)}


@bp.get("/scenarios")
def scenarios_list():
    items = [scenario_json(s) for s in store.current_scenarios()]
    return listing(items, len(items), len(items), 0)


@bp.post("/scenarios")
def scenarios_create():
    scenario = store.save_scenario(body(), api_user())
    db.commit()
    return scenario_json(scenario), 201


@bp.get("/scenarios/<int:scenario_id>")
def scenarios_get(scenario_id: int):
    scenario = db.session().get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound()
    return scenario_json(scenario)


@bp.post("/engagements/<int:engagement_id>/outcome")
def engagements_outcome(engagement_id: int):
    engagement = access.get_engagement(api_user(), engagement_id)
    access.require_write(api_user())  # a viewer is refused before the body is looked at
    data = body()
    refuse_unknown(data, ("outcome", "version", "comment", "contract_amount"))
    outcome = data.get("outcome")
    if not isinstance(outcome, str):
        raise ValidationError(fields={"outcome": str(_l("Give the key of an outcome of the current step."))})
    process.choose_outcome(engagement, outcome, api_user(), expected_version=expected_version(data),
                           comment=data.get("comment"), contract_amount=data.get("contract_amount"))
    db.commit()
    return engagement_json(engagement)


@bp.post("/engagements/<int:engagement_id>/reopen")
def engagements_reopen(engagement_id: int):
    """Open a closed engagement again on the step it closed from (planners and admins)."""
    engagement = access.get_engagement(api_user(), engagement_id)
    data = body() if request.get_data() else {}
    refuse_unknown(data, ("version",))
    process.reopen(engagement, api_user(), expected_version=expected_version(data))
    db.commit()
    return engagement_json(engagement)


STEP_LOG_OUT = ("step", "entered_at", "entered_by_id", "left_at", "left_by_id", "outcome", "result", "result_kind",
                "result_reason", "comment")


@bp.get("/engagements/<int:engagement_id>/history")
def engagements_history(engagement_id: int):
    engagement = access.get_engagement(api_user(), engagement_id)
    items = [fields_of(row, STEP_LOG_OUT) for row in process.history(engagement)]
    return listing(items, len(items), len(items), 0)


TASK_OUT = ("id", "assignee_id", "client_id", "engagement_id", "title", "instructions", "due_on", "hard_deadline",
            "escalate_to", "done_at", "cancelled_at", "escalated_at")


@bp.get("/tasks")
def tasks_list():
    """The caller's open tasks (planners and admins: unassigned ones too), soonest first."""
    limit, offset = paging()
    query = tasks.open_tasks_query(api_user())
    total = db.session().scalar(select(func.count()).select_from(query.with_only_columns(Task.id).subquery()))
    rows = db.session().scalars(query.order_by(Task.due_on, Task.id).offset(offset).limit(limit))
    return listing([fields_of(t, TASK_OUT) for t in rows], total, limit, offset)
