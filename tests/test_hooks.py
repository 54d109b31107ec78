"""The plugin hooks: documented, each tested, lifecycle events fired exactly once, in the transaction."""
from __future__ import annotations

import inspect
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from expo.core import db, hookspecs
from expo.core.models import Client, User
from expo.core.plugins import client_priority, registered
from expo.core.errors import Conflict
from expo.core.models import SYSTEM
from expo.core.services import clients, deletion, engagements, process
from expo.hooks import (ApiDoc, ListColumn, ListFilter, NavItem, Panel, Permission, ReportSection, ScenarioTemplate, ScheduledJob,
                        hookimpl)
from expo.testing import (LIFECYCLE, PageClient, Recorder, count_queries, new_client, new_engagement, new_exhibition,
                          new_scenario)

HOOKS = sorted(name for name, fn in vars(hookspecs).items()
               if inspect.isfunction(fn) and hasattr(fn, "expo_spec"))


def test_every_hookspec_has_a_docstring():
    assert len(HOOKS) >= 20
    missing = [name for name in HOOKS if len((getattr(hookspecs, name).__doc__ or "").strip()) < 30]
    assert missing == []


def test_every_hookspec_has_a_test():
    source = "\n".join(p.read_text() for p in Path(__file__).parent.rglob("test_*.py"))
    defined = set(re.findall(r"def test_hook_(\w+)\(", source))
    assert sorted(set(HOOKS) - defined) == []


@pytest.fixture
def recorder():
    return Recorder()


@pytest.fixture
def rapp(make_app, recorder):
    return make_app(plugins=[recorder])


@pytest.fixture
def staff(rapp, make_user):
    # make_user is bound to the plain ``app``; both share the same database.
    return {"planner": make_user("planner"), "manager": make_user("manager"), "other": make_user("manager")}


def _in(app):
    return app.app_context()


def test_hook_client_created(rapp, recorder, staff):
    with _in(rapp):
        planner = db.session().get(User, staff["planner"].id)
        client = new_client(planner, manager_id=staff["manager"].id)
    assert recorder.of("client_created") == [{"client_id": client.id, "name": "ООО «Ромашка»", "user": planner.id}]
    # creation with a manager also reports the first assignment, after the creation
    assert recorder.names() == ["client_created", "client_assigned"]


def test_hook_client_assigned(rapp, recorder, staff):
    with _in(rapp):
        planner = db.session().get(User, staff["planner"].id)
        client = new_client(planner, manager_id=staff["manager"].id)
        recorder.calls.clear()
        clients.assign_manager(client, staff["other"].id, planner)
        db.commit()
    assert recorder.calls == [("client_assigned", {"client_id": client.id, "old": staff["manager"].id,
                                                   "new": staff["other"].id})]


def test_hook_client_updated(rapp, recorder, staff):
    with _in(rapp):
        planner = db.session().get(User, staff["planner"].id)
        client = new_client(planner)
        recorder.calls.clear()
        clients.update_client(client, {"region": "Казань", "name": "ООО «Ромашка»"}, planner)
        clients.update_client(client, {"region": "Казань"}, planner)  # no change: no event
        db.commit()
    assert recorder.calls == [("client_updated", {"client_id": client.id, "changes": {"region": ("Москва", "Казань")},
                                                  "user": planner.id})]


def test_hook_client_deleted(rapp, recorder, make_user, frozen_clock):
    admin = make_user("admin", grants=["clients.delete"])
    with _in(rapp):
        admin = db.session().get(User, admin.id)
        client = new_client(admin)
        client_id = client.id
        deletion.delete_client(client, admin)
        db.commit()
        assert recorder.of("client_deleted") == []  # deleting hides the client; only the purge removes it
        frozen_clock.advance(days=31)
        deletion.purge_deleted_clients(SYSTEM)
        db.commit()
        assert db.session().get(Client, client_id) is None
    assert recorder.of("client_deleted") == [{"client_id": client_id, "name": "ООО «Ромашка»", "user": None}]


def test_hook_import_committed(rapp, recorder, staff):
    from expo.core.imports import runs
    from expo.testing import xlsx_bytes
    from werkzeug.datastructures import FileStorage
    import io

    file = FileStorage(io.BytesIO(xlsx_bytes([["Name", "Tax ID"], ["ООО «Импорт»", "7708000001"]])), "a.xlsx")
    with _in(rapp):
        planner = db.session().get(User, staff["planner"].id)
        runs.check_now(file, "clients", None, False, planner)
    assert recorder.names() == ["client_created", "import_committed"]
    assert recorder.of("import_committed")[0]["counts"] == {"new": 1, "update": 0, "duplicate": 0, "invalid": 0}


def _engagement(app, staff, **fields):
    planner = db.session().get(User, staff["planner"].id)
    client = new_client(planner, manager_id=staff["manager"].id)
    scenario = new_scenario(planner)
    return planner, new_engagement(planner, client, new_exhibition(planner), scenario_id=scenario.id, **fields)


def test_hook_engagement_opened(rapp, recorder, staff):
    with _in(rapp):
        _planner, engagement = _engagement(rapp, staff)
    assert recorder.of("engagement_opened") == [{"engagement_id": engagement.id, "client_id": engagement.client_id,
                                                 "exhibition_id": engagement.exhibition_id}]


def test_hook_engagement_assigned(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)
        engagements.update_engagement(engagement, {"manager_id": staff["other"].id}, planner)
        db.commit()
    assert recorder.of("engagement_assigned") == [{"engagement_id": engagement.id, "old": staff["manager"].id,
                                                   "new": staff["other"].id}]


def test_hook_amounts_changed(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff, expected_amount="1000")
        engagements.update_engagement(engagement, {"expected_amount": "1500.50", "contract_amount": None}, planner)
        db.commit()
    assert recorder.of("amounts_changed") == [{"engagement_id": engagement.id, "changes": {
        "expected_amount": (Decimal("1000.00"), Decimal("1500.50"))}}]


def test_hook_step_entered(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)  # opening enters the first step
        process.choose_outcome(engagement, "interested", planner)
        db.commit()
    assert recorder.of("step_entered") == [
        {"engagement_id": engagement.id, "step": "contact", "current": "contact"},
        {"engagement_id": engagement.id, "step": "presentation", "current": "presentation"}]


def test_hook_step_completed(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)
        process.choose_outcome(engagement, "interested", planner)
        db.commit()
    assert recorder.names()[-3:] == ["step_entered", "step_completed", "step_entered"]
    assert recorder.of("step_completed") == [{"engagement_id": engagement.id, "step": "contact", "outcome": "interested"}]


def test_hook_engagement_reopened(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)
        process.choose_outcome(engagement, "interested", planner)
        process.choose_outcome(engagement, "no", planner)
        recorder.calls.clear()
        process.reopen(engagement, planner)
        db.commit()
    assert recorder.calls == [
        ("engagement_reopened", {"engagement_id": engagement.id, "previous_result": "refused", "previous_kind": "lost",
                                 "state": "open", "user": planner.id}),
        ("step_entered", {"engagement_id": engagement.id, "step": "presentation", "current": "presentation"})]


def test_reopen_through_the_api_is_for_planners(rapp, recorder, staff, api):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)
        process.choose_outcome(engagement, "no", planner)
        db.commit()
    manager_api = api(staff["manager"], rapp)
    assert manager_api.post(f"/engagements/{engagement.id}/reopen", json={}).status_code == 403
    stale = api(staff["planner"], rapp).post(f"/engagements/{engagement.id}/reopen", json={"version": 1})
    assert stale.status_code == 409
    reopened = api(staff["planner"], rapp).post(f"/engagements/{engagement.id}/reopen")
    assert reopened.status_code == 200 and reopened.json["state"] == "open" and reopened.json["step"] == "contact"
    assert [c["previous_result"] for c in recorder.of("engagement_reopened")] == ["refused"]
    again = api(staff["planner"], rapp).post(f"/engagements/{engagement.id}/reopen")
    assert again.status_code == 409 and again.json["error"]["code"] == "conflict"


def test_hook_engagement_closed(rapp, recorder, staff):
    with _in(rapp):
        planner, engagement = _engagement(rapp, staff)
        process.choose_outcome(engagement, "interested", planner)
        process.choose_outcome(engagement, "ok", planner)
        process.choose_outcome(engagement, "price", planner)
        db.commit()
        with pytest.raises(Conflict):
            process.choose_outcome(engagement, "signed", planner)  # closed once only
    assert recorder.of("engagement_closed") == [{"engagement_id": engagement.id, "result": "refused_price",
                                                 "kind": "lost", "state": "lost", "closed": True}]
    assert recorder.names()[-2:] == ["step_completed", "engagement_closed"]


def test_a_full_life_fires_each_lifecycle_event_exactly_once(rapp, recorder, make_user, frozen_clock):
    admin = make_user("admin", grants=["clients.delete"])
    manager, other = make_user("manager"), make_user("manager")
    with _in(rapp):
        admin = db.session().get(User, admin.id)
        client = new_client(admin, manager_id=manager.id)
        clients.update_client(client, {"industry": "IT"}, admin)
        engagement = new_engagement(admin, client, new_exhibition(admin), scenario_id=new_scenario(admin).id)
        engagements.update_engagement(engagement, {"manager_id": other.id, "expected_amount": "10"}, admin)
        process.choose_outcome(engagement, "no", admin)
        process.reopen(engagement, admin)
        deletion.delete_client(client, admin)
        db.commit()
        frozen_clock.advance(days=31)
        deletion.purge_deleted_clients(SYSTEM)
        db.commit()
    names = recorder.names()
    # reopening enters the step again: the one event that fires twice in this life; imports are not part of it
    assert sorted(names) == sorted([*(set(LIFECYCLE) - {"import_committed"}), "step_entered"])
    assert names.index("engagement_opened") < names.index("step_entered") < names.index("step_completed") \
        < names.index("engagement_closed") < names.index("engagement_reopened") < names.index("client_deleted")


class Failing:
    @hookimpl
    def client_created(self, client, user):
        raise RuntimeError("plugin refuses")


def test_a_failing_lifecycle_hook_rolls_the_change_back(make_app, make_user):
    app = make_app(plugins=[Failing()])
    planner = make_user("planner")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        with pytest.raises(RuntimeError):
            clients.create_client({"name": "ООО «Вектор»"}, planner)
        db.rollback()
        assert db.session().scalar(select(func.count(Client.id))) == 0


class Slots:
    """A plugin that fills every UI slot (and one broken one)."""

    @hookimpl
    def nav_items(self, user):
        return [NavItem("probe", f"Probe for {user.role}", "home.index")]

    @hookimpl
    def client_card_panels(self, client, user):
        return [Panel("probe", "Probe panel", f"/probe/{client.id}")]

    @hookimpl
    def engagement_panels(self, engagement, user):
        return [Panel("probe-e", "Probe engagement panel", f"/probe/e/{engagement.id}")]

    @hookimpl
    def dashboard_widgets(self, user):
        return [Panel("probe-w", "Probe widget", "/probe/widget")]

    @hookimpl
    def list_columns(self, list_name, user):
        if list_name == "clients":
            return [ListColumn("name_length", "Name length", func.length(Client.name))]

    @hookimpl
    def list_filters(self, list_name, user):
        if list_name == "clients":
            return [ListFilter("short", "Short names", (("yes", "short"),), lambda value: func.length(Client.name) < 5)]

    @hookimpl
    def register_report_sections(self):
        return [ReportSection("probe", "Probe section", lambda period, filters: f"<p>{period}</p>")]

    @hookimpl
    def register_scheduled_jobs(self):
        return [ScheduledJob("probe", "0 7 * * 1", "expo.core.services.tasks:run_deadline_checks")]

    @hookimpl
    def register_api_docs(self):
        return [ApiDoc(paths={"/probe/things": {"get": {"summary": "Probe things", "responses": {}}}},
                       schemas={"ProbeThing": {"type": "object"}})]

    @hookimpl
    def client_priority(self, client_ids):
        return {client_id: 2 for client_id in client_ids}

    @hookimpl
    def register_scenario_templates(self):
        return [ScenarioTemplate("probe", "Probe scenario", {"name": "Probe", "steps": [], "results": []})]

    @hookimpl
    def register_permissions(self):
        return [Permission("probe.read", "Read probes")]


class Broken:
    @hookimpl
    def nav_items(self, user):
        raise RuntimeError("broken plugin")

    @hookimpl
    def client_card_panels(self, client, user):
        raise RuntimeError("broken plugin")

    @hookimpl
    def client_priority(self, client_ids):
        raise RuntimeError("broken plugin")


class Prioritiser:
    """A second opinion on priorities: answers for one client only."""

    def __init__(self, client_id):
        self.client_id = client_id

    @hookimpl
    def client_priority(self, client_ids):
        return {self.client_id: 5, 10**9: 1000}  # a client it was not asked about is ignored


@pytest.fixture
def slots_app(make_app):
    return make_app(plugins=[Slots(), Broken()], PLUGINS="none")  # the probes alone, no bundled plugin


def test_hook_nav_items(slots_app, make_user):

    make_user("planner", email="p@firm.ru")
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get("/").get_data(as_text=True)
    assert "Probe for planner" in html  # the broken plugin cost only its own item


def test_hook_client_card_panels(slots_app, make_user):

    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        client = new_client(db.session().get(User, planner.id))
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get(f"/clients/{client.id}").get_data(as_text=True)
    assert f'hx-get="/probe/{client.id}"' in html and "Probe panel" in html


def test_hook_engagement_panels(slots_app, make_user):

    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        planner = db.session().get(User, planner.id)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner))
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert f'hx-get="/probe/e/{engagement.id}"' in html


def test_hook_dashboard_widgets(slots_app, make_user):

    make_user("viewer", email="v@firm.ru")
    page = PageClient(slots_app)
    page.login("v@firm.ru")
    assert 'hx-get="/probe/widget"' in page.get("/").get_data(as_text=True)


def _two_clients(slots_app, make_user):
    """A planner with two clients, a short and a long name; their logged-in page client."""
    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        planner = db.session().get(User, planner.id)
        new_client(planner, name="Бета")
        new_client(planner, name="Альфа-Длинное-Имя")
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    return planner, page


def test_hook_list_columns(slots_app, make_user):
    _planner, page = _two_clients(slots_app, make_user)
    html = page.get("/clients/?sort=-name_length").get_data(as_text=True)
    assert "Name length" in html
    # sorted in SQL by the plugin's expression, longest name first
    assert html.index("Альфа-Длинное-Имя") < html.index("Бета")
    assert re.search(r"<td[^>]*>17</td>", html)  # the plugin's cell (labelled for the phone layout)


def test_hook_list_filters(slots_app, make_user, api):
    planner, page = _two_clients(slots_app, make_user)
    assert 'name="short"' in page.get("/clients/").get_data(as_text=True)
    html = page.get("/clients/?short=yes").get_data(as_text=True)
    assert "Бета" in html and "Альфа-Длинное-Имя" not in html
    assert "short" in page.get("/clients/?short=no").get_data(as_text=True)  # refused, named
    assert api(planner, slots_app).get("/clients?short=yes").json["total"] == 1
    assert api(planner, slots_app).get("/clients?short=maybe").status_code == 422


class JoinedColumn:
    """A column read from a joined row (``ListColumn.joins``): the length of the manager's e-mail."""

    @hookimpl
    def list_columns(self, list_name, user):
        if list_name == "clients":
            manager = aliased(User, name="probe_manager")
            return [ListColumn("manager_email", "Manager e-mail", func.length(manager.email),
                               joins=((manager, manager.id == Client.manager_id),))]


def test_a_list_column_may_read_a_joined_row(make_app, make_user):
    app = make_app(plugins=[JoinedColumn()])
    planner = make_user("planner", email="p@firm.ru")
    long_name = make_user("manager", email="a-rather-long-address@firm.ru")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        new_client(planner, name="Без менеджера")
        new_client(planner, name="С менеджером", manager_id=long_name.id)
        new_client(planner, name="У планировщика", manager_id=planner.id)
    page = PageClient(app)
    page.login("p@firm.ru")
    with count_queries(app) as statements:
        html = page.get("/clients/?sort=-manager_email").get_data(as_text=True)
    assert html.index("С менеджером") < html.index("У планировщика") < html.index("Без менеджера")  # no row: last
    assert re.search(rf"<td[^>]*>{len('a-rather-long-address@firm.ru')}</td>", html)
    # the page's statements join (the managers' e-mails, then the blank one after them: decision 23);
    # nothing runs per row
    assert len(statements) == len([s for s in statements if "probe_manager" not in s]) + 2


class TaskClientColumn:
    """A My tasks column read from the task's client, joined as the model itself (not an alias)."""

    @hookimpl
    def list_columns(self, list_name, user):
        if list_name == "tasks":
            from expo.core.models import Task

            return [ListColumn("client_region", "Region", Client.region, joins=((Client, Client.id == Task.client_id),))]


def test_a_tasks_column_may_join_the_client_itself(make_app, make_user):
    """My tasks reads its lines' client under a name of its own: a plugin's join of Client is no
    second, ambiguous ``clients`` in the statement."""
    app = make_app(plugins=[TaskClientColumn()])
    planner = make_user("planner", email="p@firm.ru")
    with app.app_context():
        me = db.session().get(User, planner.id)
        from expo.core.services import tasks

        client = new_client(me, name="Клиент из Казани", region="Казань")
        tasks.create_task(client, {"title": "Позвонить", "assignee_id": me.id, "due_on": "2026-12-01"}, me)
        db.commit()
    page = PageClient(app)
    page.login("p@firm.ru")
    response = page.get("/tasks")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Клиент из Казани" in html and "Region:</span> Казань" in html


@pytest.mark.plugins("none")  # only the probe's section: the bundled plugins add their own
def test_hook_register_report_sections(slots_app):
    from expo.core.reports.sections import available_sections

    with slots_app.app_context():
        sections = registered("register_report_sections")
        assert "probe" in available_sections()
    assert [s.key for s in sections] == ["probe"] and sections[0].render("2026-09", {}) == "<p>2026-09</p>"


def test_hook_register_scheduled_jobs(slots_app):
    from expo.core.schedule import all_jobs

    with slots_app.app_context():
        assert [(j.key, j.cron) for j in registered("register_scheduled_jobs")] == [("probe", "0 7 * * 1")]
        assert "probe" in [job.key for job in all_jobs()]


def test_hook_register_api_docs(slots_app):
    document = slots_app.test_client().get("/api/v1/openapi.json").json
    assert document["paths"]["/probe/things"]["get"]["summary"] == "Probe things"
    assert "ProbeThing" in document["components"]["schemas"] and "Client" in document["components"]["schemas"]


def test_hook_client_priority(make_app, make_user):
    planner = make_user("planner")
    base = make_app()
    with base.app_context():
        planner = db.session().get(User, planner.id)
        first, second = new_client(planner, name="Первый"), new_client(planner, name="Второй")
    app = make_app(plugins=[Slots(), Broken(), Prioritiser(first.id)])
    with app.app_context():
        # summed over plugins (2 + 5, 2 + 0); the broken plugin is skipped, unasked ids ignored
        assert client_priority([first.id, second.id]) == {first.id: 7, second.id: 2}
        assert client_priority([]) == {}
    with make_app(PLUGINS="none").app_context():
        assert client_priority([first.id]) == {first.id: 0}


def test_hook_register_scenario_templates(slots_app):
    with slots_app.app_context():
        assert [t.title for t in registered("register_scenario_templates")] == ["Probe scenario"]


def test_hook_register_permissions(slots_app):
    from expo.core.permissions import all_permissions

    with slots_app.app_context():
        assert {"clients.export", "clients.delete", "probe.read"} <= set(all_permissions())


def test_hook_register_blueprints(make_app, make_user):
    from flask import Blueprint

    class WithPage:
        @hookimpl
        def register_blueprints(self, app):
            bp = Blueprint("probe", __name__, url_prefix="/probe")
            bp.add_url_rule("/", "index", lambda: "probe page")
            return [bp]

    assert make_app(plugins=[WithPage()]).test_client().get("/probe/").get_data(as_text=True) == "probe page"
    assert make_app().test_client().get("/probe/").status_code == 404


def test_hook_register_commands(make_app):
    import click

    class WithCommand:
        @hookimpl
        def register_commands(self, cli):
            @cli.command("probe-hello")
            def probe_hello():
                click.echo("hello from a plugin")

    result = make_app(plugins=[WithCommand()]).test_cli_runner().invoke(args=["probe-hello"])
    assert result.output.strip() == "hello from a plugin"
    assert "probe-hello" not in make_app().cli.commands


class Wrapper:
    """A hook wrapper around a UI slot: UI slots are asked through pluggy, so it sees the call."""

    def __init__(self):
        self.seen = []

    @hookimpl(wrapper=True)
    def nav_items(self, user):
        answers = yield
        self.seen.append(len(answers))
        return answers


def test_ui_slots_go_through_pluggy_so_wrappers_and_tracing_apply(make_app, make_user):
    wrapper = Wrapper()
    app = make_app(plugins=[Slots(), Broken(), wrapper])
    traced = []
    app.extensions["expo.plugins"].trace.root.setwriter(traced.append)
    app.extensions["expo.plugins"].enable_tracing()
    make_user("planner", email="p@firm.ru")
    page = PageClient(app)
    page.login("p@firm.ru")
    assert "Probe for planner" in page.get("/").get_data(as_text=True)
    assert wrapper.seen  # the wrapper ran around the (per-plugin) calls
    assert any("nav_items" in line for line in traced)


class FailingRegistry:
    @hookimpl
    def register_permissions(self):
        raise RuntimeError("cannot say")


def test_a_failing_registry_hook_fails_loudly(make_app):
    from expo.core.permissions import all_permissions

    app = make_app(plugins=[FailingRegistry()])
    with app.app_context(), pytest.raises(RuntimeError, match="cannot say"):
        all_permissions()
