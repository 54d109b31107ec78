"""The plugin hooks: documented, each tested, lifecycle events fired exactly once, in the transaction."""
from __future__ import annotations

import inspect
import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from expo.core import db, hookspecs
from expo.core.models import Client, User
from expo.core.plugins import collect
from expo.core.errors import Conflict
from expo.core.services import clients, engagements, process
from expo.hooks import ListColumn, NavItem, Panel, Permission, ReportSection, ScenarioTemplate, ScheduledJob, hookimpl
from tests.factories import new_client, new_engagement, new_exhibition, new_scenario
from tests.probe import LIFECYCLE, Recorder

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


def test_hook_client_deleted(rapp, recorder, make_user):
    admin = make_user("admin", grants=["clients.delete"])
    with _in(rapp):
        admin = db.session().get(User, admin.id)
        client = new_client(admin)
        client_id = client.id
        clients.delete_client(client, admin)
        db.commit()
        assert db.session().get(Client, client_id) is None
    assert recorder.of("client_deleted") == [{"client_id": client_id, "name": "ООО «Ромашка»", "user": admin.id}]


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


def test_a_full_life_fires_each_lifecycle_event_exactly_once(rapp, recorder, make_user):
    admin = make_user("admin", grants=["clients.delete"])
    manager, other = make_user("manager"), make_user("manager")
    with _in(rapp):
        admin = db.session().get(User, admin.id)
        client = new_client(admin, manager_id=manager.id)
        clients.update_client(client, {"industry": "IT"}, admin)
        engagement = new_engagement(admin, client, new_exhibition(admin), scenario_id=new_scenario(admin).id)
        engagements.update_engagement(engagement, {"manager_id": other.id, "expected_amount": "10"}, admin)
        process.choose_outcome(engagement, "no", admin)
        clients.delete_client(client, admin)
        db.commit()
    names = recorder.names()
    assert sorted(names) == sorted(LIFECYCLE)
    assert names.index("engagement_opened") < names.index("step_entered") < names.index("step_completed") \
        < names.index("engagement_closed") < names.index("client_deleted")


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
    def report_sections(self):
        return [ReportSection("probe", "Probe section", lambda period, filters: f"<p>{period}</p>")]

    @hookimpl
    def scheduled_jobs(self):
        return [ScheduledJob("probe", "0 7 * * 1", "tests.probe:Recorder")]

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


@pytest.fixture
def slots_app(make_app):
    return make_app(plugins=[Slots(), Broken()])


def test_hook_nav_items(slots_app, make_user):
    from tests.conftest import PageClient

    make_user("planner", email="p@firm.ru")
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get("/").get_data(as_text=True)
    assert "Probe for planner" in html  # the broken plugin cost only its own item


def test_hook_client_card_panels(slots_app, make_user):
    from tests.conftest import PageClient

    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        client = new_client(db.session().get(User, planner.id))
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get(f"/clients/{client.id}").get_data(as_text=True)
    assert f'hx-get="/probe/{client.id}"' in html and "Probe panel" in html


def test_hook_engagement_panels(slots_app, make_user):
    from tests.conftest import PageClient

    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        planner = db.session().get(User, planner.id)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner))
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    assert f'hx-get="/probe/e/{engagement.id}"' in html


def test_hook_dashboard_widgets(slots_app, make_user):
    from tests.conftest import PageClient

    make_user("viewer", email="v@firm.ru")
    page = PageClient(slots_app)
    page.login("v@firm.ru")
    assert 'hx-get="/probe/widget"' in page.get("/").get_data(as_text=True)


def test_hook_list_columns(slots_app, make_user):
    from tests.conftest import PageClient

    planner = make_user("planner", email="p@firm.ru")
    with slots_app.app_context():
        planner = db.session().get(User, planner.id)
        new_client(planner, name="Бета")
        new_client(planner, name="Альфа-Длинное-Имя")
    page = PageClient(slots_app)
    page.login("p@firm.ru")
    html = page.get("/clients/?sort=-name_length").get_data(as_text=True)
    assert "Name length" in html
    # sorted in SQL by the plugin's expression, longest name first
    assert html.index("Альфа-Длинное-Имя") < html.index("Бета")
    assert "<td>17</td>" in html


def test_hook_report_sections(slots_app):
    with slots_app.app_context():
        sections = collect("report_sections")
    assert [s.key for s in sections] == ["probe"] and sections[0].render("2026-09", {}) == "<p>2026-09</p>"


def test_hook_scheduled_jobs(slots_app):
    with slots_app.app_context():
        assert [(j.key, j.cron) for j in collect("scheduled_jobs")] == [("probe", "0 7 * * 1")]


def test_hook_register_scenario_templates(slots_app):
    with slots_app.app_context():
        assert [t.title for t in collect("register_scenario_templates")] == ["Probe scenario"]


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
