"""Scenario pages: list, read-only diagram, editor (HTMX live validation), import and export."""
from __future__ import annotations

import json

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from expo.core import access, db
from expo.core.errors import NotFound
from expo.core.models import ESCALATION_ROLES, RESULT_KINDS, Scenario
from expo.core.scenarios import store
from expo.core.scenarios.definition import validate
from expo.core.scenarios.templates import all_templates, template
from expo.web.pages import page_or_fragment, protected_blueprint, redirect_after_post, user
from expo.web.scenario_form import apply_op, parse_draft, place_problems

bp = protected_blueprint("scenarios", __name__, url_prefix="/scenarios")
MAX_IMPORT_BYTES = 1_000_000


def _get(scenario_id: int) -> Scenario:
    scenario = db.session().get(Scenario, scenario_id)
    if scenario is None:
        raise NotFound()
    return scenario


@bp.get("/")
def index():
    return render_template("scenarios/index.html", scenarios=store.current_scenarios(), usage=store.usage_counts(),
                           drafts=store.drafts(),
                           templates=all_templates())


@bp.get("/<int:scenario_id>")
def show(scenario_id: int):
    scenario = _get(scenario_id)
    return render_template("scenarios/show.html", scenario=scenario, versions=store.versions(scenario),
                           in_use=store.in_use(scenario))


@bp.get("/<int:scenario_id>/export.json")
def export(scenario_id: int):
    scenario = _get(scenario_id)
    body = json.dumps(store.to_definition(scenario), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="scenario-{scenario.lineage_id}-v{scenario.version}.json"'})


def _open_step(op: str) -> int | None:
    """The step an editor button worked on (``add_action:2`` → 2): it stays open after the swap."""
    name, _sep, args = op.partition(":")
    first = args.split(":")[0]
    return int(first) if name.endswith(("_action", "_outcome", "_step")) and first.isdigit() else None


def _editor(draft: dict, scenario: Scenario | None, problems: list[str], status: int = 200):
    action = url_for("scenarios.edit", scenario_id=scenario.id) if scenario else url_for("scenarios.new")
    placed = place_problems(draft, problems)
    errors: dict[str, str] = {}
    in_step: dict[int, int] = {}
    for problem in placed:
        if problem.field:
            errors[problem.field] = f"{errors[problem.field]}; {problem.text}" if problem.field in errors \
                else problem.text
            if problem.field.startswith("steps-"):
                index = int(problem.field.split("-")[1])
                in_step[index] = in_step.get(index, 0) + 1
    op = request.form.get("op", "") if request.method == "POST" else ""
    if op.startswith("add_step"):
        open_step = len(draft["steps"]) - 1
    else:
        open_step = _open_step(op)
    return page_or_fragment("scenarios/editor.html", "_partials/scenario_editor.html", status, draft=draft,
                            scenario=scenario, problems=placed, errors=errors, problems_in_step=in_step,
                            open_step=open_step, action=action, kinds=RESULT_KINDS,
                            roles=ESCALATION_ROLES, will_version=bool(scenario and store.in_use(scenario)))


def _edit(scenario: Scenario | None):
    access.require_assign(user())
    if request.method == "GET":
        if scenario is not None:
            draft = store.to_definition(scenario)
        else:
            chosen = template(request.args.get("template", ""))
            draft = json.loads(json.dumps(chosen.definition)) if chosen else {"name": "", "steps": [], "results": []}
        return _editor(draft, scenario, [])
    draft = apply_op(parse_draft(request.form), request.form.get("op", ""))
    if request.form.get("op") != "save":
        return _editor(draft, scenario, validate(draft))
    try:
        saved = store.save_scenario(draft, user(), scenario)
        db.commit()
    except store.ScenarioInvalid as problem:
        db.rollback()
        return _editor(draft, scenario, problem.problems, 422)
    return redirect_after_post(url_for("scenarios.show", scenario_id=saved.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _edit(None)


@bp.route("/<int:scenario_id>/edit", methods=["GET", "POST"])
def edit(scenario_id: int):
    scenario = _get(scenario_id)
    draft = store.draft_of(scenario) if scenario.published_at is not None else None
    if draft is not None and request.method == "GET":
        # The lineage already has a draft: go on with it rather than start over from the published version.
        return redirect(url_for("scenarios.edit", scenario_id=draft.id))
    return _edit(scenario)


@bp.post("/validate")
def live_validation():
    """HTMX: the editor's problem list for the draft as typed so far."""
    access.require_assign(user())
    draft = parse_draft(request.form)
    return render_template("_partials/scenario_problems.html", problems=place_problems(draft, validate(draft)))


@bp.post("/import")
def import_file():
    access.require_assign(user())
    upload = request.files.get("file")
    raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
    problems: list[str] = []
    definition = None
    if not raw or len(raw) > MAX_IMPORT_BYTES:
        problems = [_("Choose a JSON file of at most 1 MB.")]
    else:
        try:
            definition = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            problems = [_("Not a JSON file: %(error)s", error=str(error))]
    if not problems:
        try:
            saved = store.save_scenario(definition, user())
            db.commit()
            return redirect_after_post(url_for("scenarios.show", scenario_id=saved.id))
        except store.ScenarioInvalid as problem:
            db.rollback()
            problems = problem.problems
    return render_template("scenarios/import_failed.html", problems=problems), 422


@bp.post("/<int:scenario_id>/default")
def make_default(scenario_id: int):
    scenario = _get(scenario_id)
    store.make_default(scenario, user())
    db.commit()
    return redirect_after_post(url_for("scenarios.show", scenario_id=scenario.id))


@bp.post("/<int:scenario_id>/publish")
def publish(scenario_id: int):
    """Publish a draft version: new engagements start on it from now on."""
    scenario = _get(scenario_id)
    store.publish(scenario, user())
    db.commit()
    return redirect_after_post(url_for("scenarios.show", scenario_id=scenario.id))
