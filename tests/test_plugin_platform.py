"""The plugin platform as a plugin author meets it.

A plugin installed from a temporary directory, importing nothing from Expo but ``expo.hooks``,
writes through the core's services and commits through the facade (its queued job then runs),
keeps its own table, hears ``engagement_reopened``, and adds sortable columns to an exhibition's
engagements and to My tasks. These tests use only ``expo.testing`` fixtures and helpers, and run
on both databases like every test that uses ``app``.
"""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select, text

from expo import ROOT
from expo.testing import migrate, new_client, new_engagement, new_exhibition, new_scenario, reopen, walk

PLUGIN = '''
from flask import url_for
from sqlalchemy import func, select, text

from expo.hooks import (ListColumn, commit, current_user, db_session, enqueue_after_commit, get_client, hookimpl,
                        log_activity, models, protected_blueprint, redirect_after_post)

bp = protected_blueprint("greeter", __name__, url_prefix="/greeter")


def _event(kind, object_id):
    db_session().execute(text("INSERT INTO greeter_events (kind, object_id) VALUES (:kind, :id)"),
                         {"kind": kind, "id": object_id})


@bp.post("/clients/<int:client_id>/greet")
def greet(client_id):
    client = get_client(current_user, client_id)
    log_activity(client, {"kind": "note", "text": "Greetings!"}, current_user)
    enqueue_after_commit("expo_greeter:remember_greeting", client_id=client.id)
    commit()
    return redirect_after_post(url_for("clients.card", client_id=client.id))


def remember_greeting(client_id):
    """The job: runs after the commit, in its own transaction."""
    _event("greeted", client_id)


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def engagement_reopened(engagement, previous_result, previous_kind, user):
    _event("reopened " + previous_result + " " + previous_kind, engagement.id)


@hookimpl
def list_columns(list_name, user):
    Activity, Engagement, Task = models.Activity, models.Engagement, models.Task
    if list_name == "engagements":
        calls = (select(func.count(Activity.id)).where(Activity.engagement_id == Engagement.id)
                 .correlate(Engagement).scalar_subquery())
        return [ListColumn("calls", "Calls", calls, default_sort="desc")]
    if list_name == "tasks":
        return [ListColumn("title_length", "Title length", func.length(Task.title))]
'''

MIGRATION = '''
from alembic import op
import sqlalchemy as sa

revision = "greeter_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("greeter_events", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("kind", sa.String(100), nullable=False), sa.Column("object_id", sa.Integer))


def downgrade():
    op.drop_table("greeter_events")
'''


@pytest.fixture
def greeter_app(install_plugin, make_app):
    install_plugin("greeter", PLUGIN, {"greeter_0001_events.py": MIGRATION})
    app = make_app(PLUGINS="greeter")
    assert "greeter" in migrate(app)
    return app


def _events(app):
    with app.app_context():
        from expo.hooks import db_session

        return [tuple(row) for row in db_session().execute(text("SELECT kind, object_id FROM greeter_events ORDER BY id"))]


def test_plugins_and_the_example_import_only_the_facade_and_the_test_kit():
    """The rule of the house, for every plugin in the repository: ``expo.hooks`` (and, in tests,
    ``expo.testing``), never the core's internals."""
    sources = [*ROOT.glob("plugins/*/expo_*/**/*.py"), *ROOT.glob("plugins/*/tests/**/*.py"),
               *ROOT.glob("docs/examples/**/*.py")]
    assert len(sources) > 20
    found = {}
    for source in sources:
        for module in re.findall(r"^\s*(?:from|import) (expo(?:\.[\w.]+)?)\b", source.read_text(), re.MULTILINE):
            if module not in ("expo.hooks", "expo.testing"):
                found.setdefault(str(source.relative_to(ROOT)), []).append(module)
    assert found == {}


def test_a_plugin_page_writes_through_a_service_commits_and_its_job_runs(greeter_app, make_user, login_as):
    manager = make_user("manager")
    with greeter_app.app_context():
        client = new_client(manager)
    page = login_as(manager, greeter_app)
    response = page.submit(f"/greeter/clients/{client.id}/greet")
    assert response.status_code == 302
    assert _events(greeter_app) == [("greeted", client.id)]  # the in-process job ran after the commit
    card = page.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Greetings!" in card  # the activity the service logged
    # CSRF and ownership hold on plugin pages too
    assert page.post(f"/greeter/clients/{client.id}/greet").status_code == 400
    other = login_as(make_user("manager"), greeter_app)
    assert other.submit(f"/greeter/clients/{client.id}/greet").status_code == 404
    assert _events(greeter_app) == [("greeted", client.id)]


def test_a_plugin_hears_engagement_reopened(greeter_app, make_user):
    planner = make_user("planner")
    with greeter_app.app_context():
        from expo.hooks import db_session, models

        planner = db_session().get(models.User, planner.id)
        new_scenario(planner)
        engagement = new_engagement(planner, new_client(planner), new_exhibition(planner))
        walk(engagement, planner, "interested", "no")
        reopen(engagement, planner)
    assert _events(greeter_app) == [("reopened refused lost", engagement.id)]


def _names_in_order(html, names):
    return sorted(names, key=html.index)


def test_a_plugin_column_sorts_the_exhibition_list_and_board_in_sql(greeter_app, make_user, login_as):
    planner = make_user("planner")
    with greeter_app.app_context():
        from expo.hooks import db_session, log_activity, models

        planner = db_session().get(models.User, planner.id)
        show = new_exhibition(planner)
        calls = {"Альфа": 0, "Бета": 2, "Гамма": 1}
        for name, count in calls.items():
            engagement = new_engagement(planner, new_client(planner, name=name), show)
            for _ in range(count):
                log_activity(engagement.client, {"kind": "call", "text": "…", "engagement_id": engagement.id}, planner)
        db_session().commit()
    page = login_as(planner, greeter_app)
    listing = page.get(f"/exhibitions/{show.id}/engagements").get_data(as_text=True)
    assert "Calls" in listing
    # the plugin's default order: most calls first
    assert _names_in_order(listing, calls) == ["Бета", "Гамма", "Альфа"]
    ascending = page.get(f"/exhibitions/{show.id}/engagements?sort=calls").get_data(as_text=True)
    assert _names_in_order(ascending, calls) == ["Альфа", "Гамма", "Бета"]
    by_client = page.get(f"/exhibitions/{show.id}/engagements?sort=-client").get_data(as_text=True)
    assert _names_in_order(by_client, calls) == ["Гамма", "Бета", "Альфа"]
    board = page.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert _names_in_order(board, calls) == ["Бета", "Гамма", "Альфа"] and "Calls: 2" in board
    assert page.get(f"/exhibitions/{show.id}/engagements?sort=nosuch").status_code == 422


def test_a_plugin_column_sorts_my_tasks(greeter_app, make_user, login_as):
    planner = make_user("planner")
    manager = make_user("manager")
    definition = {
        "name": "Tasks", "steps": [{"key": "start", "title": "Start", "actions": [
            {"title": "Call", "deadline_days": 1}, {"title": "Write a long letter", "deadline_days": 1},
            {"title": "Meet them", "deadline_days": 1}],
            "outcomes": [{"key": "done", "title": "Done", "result": "won"}]}],
        "results": [{"key": "won", "title": "Won", "kind": "won"}]}
    with greeter_app.app_context():
        from expo.hooks import db_session, models

        planner = db_session().get(models.User, planner.id)
        new_scenario(planner, definition)
        new_engagement(planner, new_client(planner, manager_id=manager.id), new_exhibition(planner))
    page = login_as(manager, greeter_app)
    titles = ["Call", "Write a long letter", "Meet them"]
    longest_first = page.get("/tasks?sort=-title_length").get_data(as_text=True)
    assert "Title length" in longest_first
    assert _names_in_order(longest_first, titles) == ["Write a long letter", "Meet them", "Call"]
    shortest_first = page.get("/tasks?sort=title_length").get_data(as_text=True)
    assert _names_in_order(shortest_first, titles) == ["Call", "Meet them", "Write a long letter"]


def test_notify_through_the_facade_checks_what_it_is_given(app, make_user):
    from expo.hooks import ValidationError, commit, db_session, models, notify

    manager = make_user("manager")
    with app.app_context():
        person = db_session().get(models.User, manager.id)
        for kind, text_, url, field in (("Not a key!", "hi", None, "kind"), ("hello", "", None, "text"),
                                        ("hello", "hi", "https://evil.example/", "url"),
                                        ("hello", "x" * 2001, None, "text"), ("k" * 31, "hi", None, "kind")):
            with pytest.raises(ValidationError) as refused:
                notify([person], kind, text_, url)
            assert field in refused.value.fields
        notify([person], "hello.plugin", "Привет", f"/clients/{person.id}")
        commit()
        notes = db_session().scalars(select(models.Notification)).all()
        assert [(n.kind, n.text, n.url) for n in notes] == [("hello.plugin", "Привет", f"/clients/{person.id}")]


def test_create_task_through_the_facade_gives_tasks_to_real_people_only(app, make_user):
    from expo.hooks import Forbidden, ValidationError, commit, create_task, db_session, models

    manager, other, planner = make_user("manager"), make_user("manager"), make_user("planner")
    with app.app_context():
        me = db_session().get(models.User, manager.id)
        client = new_client(me)
        due = {"title": "Позвонить", "due_on": "2026-12-10"}
        assert create_task(client, due, me).assignee_id == manager.id  # the client's manager by default
        with pytest.raises(Forbidden):  # a manager does not fill a colleague's list
            create_task(client, {**due, "assignee_id": other.id}, me)
        boss = db_session().get(models.User, planner.id)
        with pytest.raises(ValidationError) as refused:
            create_task(client, {**due, "assignee_id": 999999}, boss)
        assert "assignee_id" in refused.value.fields
        assert create_task(client, {**due, "assignee_id": other.id}, boss).assignee_id == other.id
        commit()
