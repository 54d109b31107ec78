"""Scenario and engagement pages: editor operations, live validation, import/export, outcomes, documents."""
from __future__ import annotations

import io
import json
import re

from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Scenario, User
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario


def _editor_fields(html):
    """The editor's fields as a browser would post them (checked boxes only, selected options)."""
    fields = {}
    for name, value in re.findall(r'<input name="([^"]+)" value="([^"]*)"', html):
        fields[name] = value
    for name, checked in re.findall(r'<input type="checkbox" name="([^"]+)"( checked)?>', html):
        if checked:
            fields[name] = "on"
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = body
    return fields


def test_build_a_scenario_in_the_editor(app, client, planner):
    html = client.get("/scenarios/new").get_data(as_text=True)
    fields = _editor_fields(html)
    fields["name"] = "Мини"
    for op in ("add_step", "add_result", "add_result"):
        html = client.submit("/scenarios/new", {**fields, "op": op}, htmx=True).get_data(as_text=True)
        assert "<html" not in html
        fields = _editor_fields(html)
    fields.update({"steps-0-key": "call", "steps-0-title": "Звонок", "results-0-key": "deal", "results-0-title": "Сделка",
                   "results-0-kind": "won", "results-1-key": "no", "results-1-title": "Отказ", "results-1-kind": "lost"})
    # live validation says what is still missing
    problems = client.submit("/scenarios/validate", fields, htmx=True).get_data(as_text=True)
    assert "a step needs at least one outcome" in problems
    fields = _editor_fields(client.submit("/scenarios/new", {**fields, "op": "add_outcome:0"}, htmx=True).get_data(as_text=True))
    fields.update({"steps-0-outcomes-0-key": "yes", "steps-0-outcomes-0-title": "Да",
                   "steps-0-outcomes-0-target": "result:deal"})
    fields = _editor_fields(client.submit("/scenarios/new", {**fields, "op": "add_action:0"}, htmx=True).get_data(as_text=True))
    fields.update({"steps-0-actions-0-title": "Позвонить", "steps-0-actions-0-deadline_days": "3",
                   "steps-0-actions-0-hard": "on", "steps-0-actions-0-escalate_to": "admin"})
    assert "No problems found." in client.submit("/scenarios/validate", fields, htmx=True).get_data(as_text=True)
    saved = client.submit("/scenarios/new", {**fields, "op": "save"})
    assert saved.status_code == 302
    with app.app_context():
        scenario = db.session().scalar(select(Scenario))
        from expo.core.scenarios.store import to_definition

        assert to_definition(scenario) == {
            "name": "Мини",
            "steps": [{"key": "call", "title": "Звонок",
                       "actions": [{"title": "Позвонить", "deadline_days": 3, "hard": True, "escalate_to": "admin"}],
                       "outcomes": [{"key": "yes", "title": "Да", "result": "deal"}]}],
            "results": [{"key": "deal", "title": "Сделка", "kind": "won"},
                        {"key": "no", "title": "Отказ", "kind": "lost"}]}
    diagram = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Звонок" in diagram and "Сделка" in diagram


def test_saving_an_invalid_draft_lists_the_problems_and_saves_nothing(app, client, planner):
    response = client.submit("/scenarios/new", {"name": "", "op": "save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Name: is required" in html and "A scenario needs at least one step." in html
    assert '<a href="#field-name">' in html and 'aria-invalid="true"' in html
    with app.app_context():
        assert db.session().scalar(select(func.count(Scenario.id))) == 0


def test_reorder_and_remove_in_the_editor(client, planner):
    fields = _editor_fields(client.get("/scenarios/new?template=exhibition").get_data(as_text=True))
    assert fields["steps-0-key"] == "contact" and fields["steps-3-key"] == "offer"
    moved = _editor_fields(client.submit("/scenarios/new", {**fields, "op": "down_step:0"}, htmx=True)
                           .get_data(as_text=True))
    assert (moved["steps-0-key"], moved["steps-1-key"]) == ("materials", "contact")
    removed = _editor_fields(client.submit("/scenarios/new", {**moved, "op": "remove_step:3"}, htmx=True)
                             .get_data(as_text=True))
    assert "steps-3-key" not in removed
    problems = client.submit("/scenarios/validate", removed, htmx=True).get_data(as_text=True)
    assert "points to no step &#39;offer&#39;" in problems


def test_editing_a_used_scenario_in_the_editor_makes_version_2(app, client, planner):
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p)
        new_engagement(p, new_client(p), new_exhibition(p), scenario_id=scenario.id)
    page = client.get(f"/scenarios/{scenario.id}/edit").get_data(as_text=True)
    assert "saving creates a draft of the next version" in page
    fields = _editor_fields(page)
    fields["steps-1-title"] = "Презентация стенда"
    saved = client.submit(f"/scenarios/{scenario.id}/edit", {**fields, "op": "save"})
    assert saved.status_code == 302
    with app.app_context():
        assert db.session().scalars(select(Scenario.version).order_by(Scenario.id)).all() == [1, 2]


def test_import_and_export(app, client, planner):
    upload = {"file": (io.BytesIO(json.dumps(DESIGN_EXAMPLE).encode()), "scenario.json")}
    imported = client.submit("/scenarios/import", upload, content_type="multipart/form-data")
    assert imported.status_code == 302
    exported = client.get(imported.headers["Location"] + "/export.json")
    assert exported.json == DESIGN_EXAMPLE
    assert "attachment" in exported.headers["Content-Disposition"]
    bad = client.submit("/scenarios/import", {"file": (io.BytesIO(b"{not json"), "x.json")},
                        content_type="multipart/form-data")
    assert bad.status_code == 422 and "Not a JSON file" in bad.get_data(as_text=True)
    broken = dict(DESIGN_EXAMPLE, results=[])
    invalid = client.submit("/scenarios/import", {"file": (io.BytesIO(json.dumps(broken).encode()), "x.json")},
                            content_type="multipart/form-data")
    assert invalid.status_code == 422 and "points to no result" in invalid.get_data(as_text=True)


def test_managers_read_scenarios_but_cannot_edit(client, make_user):
    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    assert client.get("/scenarios/").status_code == 200
    assert client.get("/scenarios/new").status_code == 403
    assert client.submit("/scenarios/new", {"name": "x", "op": "save"}).status_code == 403


def test_walk_an_engagement_with_the_outcome_buttons(app, client, planner):
    with app.app_context():
        p = db.session().get(User, planner.id)
        engagement = new_engagement(p, new_client(p), new_exhibition(p), scenario_id=new_scenario(p).id)
    url = f"/engagements/{engagement.id}"
    for outcome in ("interested", "ok", "signed"):
        page = client.get(url).get_data(as_text=True)
        version = re.search(r'name="version" value="(\d+)"', page).group(1)
        # a step-to-step outcome is a button; one that closes links to its confirmation, confirmed here
        closes = outcome == "signed"
        assert (f'{url}/outcomes/{outcome}?version=' if closes else f'value="{outcome}"') in page
        form = {"outcome": outcome, "version": version, **({"confirmed": "1"} if closes else {})}
        assert client.submit(f"{url}/outcome", form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Result: Contract signed" in page and "Reopen" in page
    history = page[page.index('id="step-history"'):]
    assert history.index("Establish contact") < history.index("Presentation") < history.index("Commercial offer")
    stale = client.submit(f"{url}/outcome", {"outcome": "signed", "version": "1"})
    assert stale.status_code == 409
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    assert client.submit(f"{url}/reopen", {"version": version}).status_code == 302
    assert "Step: Commercial offer" in client.get(url).get_data(as_text=True)


def test_action_documents_render_sandboxed_as_html_and_pdf(app, client, planner):
    with app.app_context():
        p = db.session().get(User, planner.id)
        client_row = new_client(p, name="ООО «Документ» <b>")
        engagement = new_engagement(p, client_row, new_exhibition(p, name="ПродЭкспо"), expected_amount="150000")
        action = engagement.scenario.step("materials").actions[0]
        offer = engagement.scenario.step("offer").actions[0]
    html = client.get(f"/engagements/{engagement.id}/documents/{action.id}.html")
    assert html.status_code == 200
    text = html.get_data(as_text=True)
    assert "ПродЭкспо" in text and "ООО «Документ» &lt;b&gt;" in text and "<b>" not in text
    pdf = client.get(f"/engagements/{engagement.id}/documents/{offer.id}.pdf")
    assert pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    content = "".join(page.extract_text() for page in reader.pages)
    assert "ООО «Документ»" in content and "150,000.00" in content  # formatted in the locale (English here)


def test_a_hostile_document_template_cannot_escape_the_sandbox(app, client, planner):
    definition = json.loads(json.dumps(DESIGN_EXAMPLE))
    definition["steps"][0]["actions"][0]["document_template"] = "{{ client.__class__.__mro__ }}"
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p, definition)
        engagement = new_engagement(p, new_client(p), new_exhibition(p), scenario_id=scenario.id)
        action_id = scenario.steps[0].actions[0].id
    response = client.get(f"/engagements/{engagement.id}/documents/{action_id}.html")
    assert response.status_code == 422 and "SecurityError" in response.get_data(as_text=True)


def test_editor_operations_on_actions_outcomes_and_results(app):
    from expo.web.scenario_form import apply_op

    draft = copy_example()
    apply_op(draft, "down_outcome:0:0")
    assert [o["key"] for o in draft["steps"][0]["outcomes"]] == ["no", "interested"]
    apply_op(draft, "add_action:0")
    apply_op(draft, "up_action:0:1")
    assert draft["steps"][0]["actions"][0]["title"] == ""
    apply_op(draft, "remove_action:0:0")
    apply_op(draft, "up_result:2")
    assert [r["key"] for r in draft["results"]] == ["contract", "refused_price", "refused"]
    before = copy_example()
    for nonsense in ("remove_step:99", "up_step:0", "down_action:7:0", "explode", "remove_result:x", ""):
        assert apply_op(copy_example(), nonsense) == before


def copy_example():
    return json.loads(json.dumps(DESIGN_EXAMPLE))


def test_a_problem_shows_next_to_its_field_with_a_human_path(client, planner):
    fields = _editor_fields(client.get("/scenarios/new?template=exhibition").get_data(as_text=True))
    fields["steps-2-outcomes-0-title"] = ""
    for htmx in (False, True):
        response = client.submit("/scenarios/new", {**fields, "op": "save"}, htmx=htmx)
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert ("<html" in html) is not htmx
        message = escape('Step "Presentation" → outcome 1: title — is required')
        # the summary links to the field; the field is marked and described by its message
        assert f'<a href="#field-steps-2-outcomes-0-title">{message}</a>' in html
        field = re.search(r'<input name="steps-2-outcomes-0-title"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and 'class="invalid"' in field
        assert 'aria-describedby="error-steps-2-outcomes-0-title"' in field
        assert f'<span class="error field-error" id="error-steps-2-outcomes-0-title">{message}</span>' in html
        # only that step opens; the others stay collapsed
        assert re.search(r'<details class="card step" id="step-2" open>', html)
        assert re.search(r'<details class="card step" id="step-1">', html)
        other = re.search(r'<input name="steps-2-outcomes-1-title"[^>]*>', html).group(0)
        assert "aria-invalid" not in other


def test_an_unreachable_step_is_refused_in_the_editor(app, client, planner):
    fields = _editor_fields(client.get("/scenarios/new?template=exhibition").get_data(as_text=True))
    fields["steps-1-outcomes-0-target"] = "next:offer"  # nothing leads to the presentation any more
    response = client.submit("/scenarios/new", {**fields, "op": "save"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert escape('Step "Presentation": no outcome leads to this step') in html
    assert 'aria-invalid="true"' in re.search(r'<input name="steps-2-title"[^>]*>', html).group(0)
    with app.app_context():
        assert db.session().scalar(select(func.count(Scenario.id))) == 0


def test_leads_to_shows_titles_and_reasons_show_labels(app, client, planner):
    html = client.get("/scenarios/new?template=exhibition").get_data(as_text=True)
    assert '<option value="next:presentation">Presentation</option>' in html
    assert '<option value="result:contract" selected>Contract signed</option>' in html
    with app.app_context():
        scenario = new_scenario(planner)
        scenario_id = scenario.id
    page = client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)
    assert "(price too high)" in page and "(price)" not in page


def test_requires_amount_is_saved_from_the_editor_and_exported(app, client, planner):
    html = client.get("/scenarios/new?template=exhibition").get_data(as_text=True)
    # the standard scenario's won result asks for the contract amount
    assert '<input type="checkbox" name="results-0-requires_amount" checked>' in html
    fields = _editor_fields(html)
    fields["results-1-requires_amount"] = "on"
    saved = client.submit("/scenarios/new", {**fields, "op": "save"})
    assert saved.status_code == 302
    with app.app_context():
        scenario = db.session().scalar(select(Scenario))
        assert [r.key for r in scenario.results if r.requires_amount] == ["contract", "refused_price"]
        scenario_id = scenario.id
    exported = client.get(f"/scenarios/{scenario_id}/export.json").json
    assert exported["results"][0]["requires_amount"] is True and "requires_amount" not in exported["results"][2]
    assert "requires the contract amount" in client.get(f"/scenarios/{scenario_id}").get_data(as_text=True)


def test_a_new_version_is_a_draft_until_published_and_then_moves_the_default(app, client, planner, make_user):
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p)
        assert scenario.published_at is not None and scenario.is_default
        new_engagement(p, new_client(p), new_exhibition(p), scenario_id=scenario.id)
        first_id = scenario.id
    fields = _editor_fields(client.get(f"/scenarios/{first_id}/edit").get_data(as_text=True))
    fields["steps-1-title"] = "Презентация стенда"
    saved = client.submit(f"/scenarios/{first_id}/edit", {**fields, "op": "save"})
    draft_id = int(saved.headers["Location"].rsplit("/", 1)[1])
    # a draft can be edited again in place: no third version
    assert client.get(f"/scenarios/{first_id}/edit").headers["Location"].endswith(f"/scenarios/{draft_id}/edit")
    fields["steps-1-title"] = "Показ стенда"
    assert client.submit(f"/scenarios/{draft_id}/edit", {**fields, "op": "save"}).status_code == 302
    with app.app_context():
        p = db.session().get(User, planner.id)
        assert db.session().scalars(select(Scenario.version).order_by(Scenario.id)).all() == [1, 2]
        assert db.session().get(Scenario, draft_id).step("presentation").title == "Показ стенда"
        # new engagements and the default keep the published version
        assert new_engagement(p, new_client(p), new_exhibition(p)).scenario_id == first_id
    assert "draft" in client.get("/scenarios/").get_data(as_text=True)
    # a manager cannot publish
    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    assert client.submit(f"/scenarios/{draft_id}/publish", {}).status_code == 403
    client.login(planner.email)
    assert client.submit(f"/scenarios/{draft_id}/publish", {}).status_code == 302
    with app.app_context():
        p = db.session().get(User, planner.id)
        draft = db.session().get(Scenario, draft_id)
        assert draft.published_at is not None and draft.is_current and draft.is_default
        assert not db.session().get(Scenario, first_id).is_default
        assert new_engagement(p, new_client(p), new_exhibition(p)).scenario_id == draft_id
    assert client.submit(f"/scenarios/{draft_id}/publish", {}).status_code == 422  # published already
