"""Enabling plugins: discovery by entry point, EXPO_PLUGINS, zero plugins, disabling without data loss.

``probe_distribution`` installs a real plugin distribution for the test: a ``.dist-info`` folder
with an ``expo.plugins`` entry point on ``sys.path``, a page, and its own migration and version table.
"""
from __future__ import annotations

import sys

import pytest
from sqlalchemy import inspect, text

from expo.core import db
from expo.core.migrate import upgrade
from expo.core.plugins import (PluginConfigError, enabled_plugins, installed_plugins, make_plugin_manager,
                               parse_enabled)

PLUGIN_CODE = '''
from flask import Blueprint
from sqlalchemy import text
from expo.hooks import NavItem, db_session, hookimpl

bp = Blueprint("probe", __name__, url_prefix="/probe")

@bp.get("/")
def index():
    notes = db_session().execute(text("SELECT body FROM probe_notes ORDER BY id")).scalars().all()
    return "notes: " + ", ".join(notes)

@hookimpl
def register_blueprints(app):
    return [bp]

@hookimpl
def nav_items(user):
    return [NavItem("probe", "Probe notes", "probe.index")]
'''

MIGRATION = '''
from alembic import op
import sqlalchemy as sa

revision = "probe0001"
down_revision = None
branch_labels = None
depends_on = None

def upgrade():
    op.create_table("probe_notes", sa.Column("id", sa.Integer, primary_key=True), sa.Column("body", sa.Text))

def downgrade():
    op.drop_table("probe_notes")
'''
BUNDLED = ("ratings", "funnel", "planning", "segments")


@pytest.fixture
def probe_distribution(install_plugin):
    return install_plugin("probe", PLUGIN_CODE, {"probe0001_notes.py": MIGRATION}, version="1.2.3")


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_plugin_is_an_installed_distribution_loaded_only_when_enabled(name):
    info = {p.name: p for p in installed_plugins()}[name]
    assert info.distribution == f"expo-{name}"
    sys.modules.pop(f"expo_{name}", None)
    blocked = make_plugin_manager("none")
    assert blocked.get_plugin(name) is None
    assert f"expo_{name}" not in sys.modules  # blocked before loading: never imported
    enabled = make_plugin_manager(name)
    assert enabled.get_plugin(name) is sys.modules[f"expo_{name}"]


def test_the_core_runs_with_zero_plugins(make_app, make_user):
    from expo.testing import PageClient

    app = make_app(PLUGINS="none")
    assert enabled_plugins(app.extensions["expo.plugins"]) == {}
    make_user("admin", email="a@firm.ru")
    page = PageClient(app)
    page.login("a@firm.ru")
    for url in ("/", "/clients/", "/exhibitions/", "/admin/plugins"):
        assert page.get(url).status_code == 200, url
    assert "disabled" in page.get("/admin/plugins").get_data(as_text=True)


def test_unknown_plugin_names_stop_start_up_naming_them(make_app):
    with pytest.raises(PluginConfigError, match="nosuch, other"):
        make_app(PLUGINS="ratings,nosuch,other")
    assert parse_enabled("ratings, funnel", ["ratings", "funnel", "planning"]) == {"ratings", "funnel"}


def test_a_subset_can_be_enabled(make_app):
    assert set(enabled_plugins(make_app(PLUGINS="funnel").extensions["expo.plugins"])) == {"funnel"}


def test_disabling_a_plugin_hides_it_and_keeps_its_data(make_app, make_user, probe_distribution):
    from expo.testing import PageClient

    make_user("admin", email="a@firm.ru")
    enabled = make_app(PLUGINS="all")
    assert "probe" in upgrade(enabled)  # its own tree, with its own version table
    with enabled.app_context():
        db.session().execute(text("INSERT INTO probe_notes (body) VALUES ('kept')"))
        db.commit()
        tables = set(inspect(db.engine()).get_table_names())
        assert {"alembic_version_probe", "probe_notes"} <= tables
    page = PageClient(enabled)
    page.login("a@firm.ru")
    assert page.get("/probe/").get_data(as_text=True) == "notes: kept"
    assert "Probe notes" in page.get("/").get_data(as_text=True)
    plugins_page = page.get("/admin/plugins").get_data(as_text=True)
    assert "expo-probe" in plugins_page and "1.2.3" in plugins_page

    sys.modules.pop("expo_probe", None)
    disabled = make_app(PLUGINS="ratings,funnel,planning")
    assert "expo_probe" not in sys.modules  # blocked before loading: never imported
    assert "probe" not in upgrade(disabled)
    page = PageClient(disabled)
    page.login("a@firm.ru")
    assert page.get("/probe/").status_code == 404
    assert "Probe notes" not in page.get("/").get_data(as_text=True)
    with disabled.app_context():
        assert db.session().execute(text("SELECT body FROM probe_notes")).scalars().all() == ["kept"]

    again = make_app(PLUGINS="all")
    page = PageClient(again)
    page.login("a@firm.ru")
    assert page.get("/probe/").get_data(as_text=True) == "notes: kept"


def test_plugins_list_command_shows_installed_and_enabled(make_app, probe_distribution):
    app = make_app(PLUGINS="ratings,probe")
    output = app.test_cli_runner().invoke(args=["plugins", "list"]).output
    rows = {line.split()[0]: line.split() for line in output.splitlines()}
    assert rows["probe"][1:3] == ["1.2.3", "enabled"]
    assert rows["ratings"][2] == "enabled" and rows["funnel"][2] == "disabled"


def test_an_enabled_plugin_that_fails_to_import_fails_start_up(make_app, probe_distribution):
    (probe_distribution / "__init__.py").write_text("raise ImportError('probe is broken')\n")
    with pytest.raises(ImportError, match="probe is broken"):
        make_app(PLUGINS="probe")
