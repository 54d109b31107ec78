"""Enabling plugins: discovery by entry point, EXPO_PLUGINS, zero plugins, disabling without data loss.

``probe_distribution`` installs a real plugin distribution for the test: a ``.dist-info`` folder
with an ``expo.plugins`` entry point on ``sys.path``, a page, and its own migration and version table.
"""
from __future__ import annotations

import sys
import textwrap

import pytest
from sqlalchemy import inspect, text

from expo.core import db
from expo.core.migrate import upgrade
from expo.core.plugins import PluginConfigError, enabled_plugins, parse_enabled

PLUGIN_CODE = '''
from flask import Blueprint
from sqlalchemy import text
from expo.hooks import hookimpl, NavItem
from expo.core import db

bp = Blueprint("probe", __name__, url_prefix="/probe")

@bp.get("/")
def index():
    notes = db.session().execute(text("SELECT body FROM probe_notes ORDER BY id")).scalars().all()
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


@pytest.fixture
def probe_distribution(tmp_path, monkeypatch):
    package = tmp_path / "expo_probe"
    (package / "migrations" / "versions").mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN_CODE))
    (package / "migrations" / "versions" / "probe0001_notes.py").write_text(textwrap.dedent(MIGRATION))
    info = tmp_path / "expo_probe-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: expo-probe\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text("[expo.plugins]\nprobe = expo_probe\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("expo_probe", None)


def test_the_core_runs_with_zero_plugins(make_app, make_user):
    from tests.conftest import PageClient

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
    from tests.conftest import PageClient

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
    assert upgrade(disabled) == ["core"]
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


def test_an_enabled_plugin_that_fails_to_import_fails_start_up(make_app, probe_distribution, tmp_path):
    (tmp_path / "expo_probe" / "__init__.py").write_text("raise ImportError('probe is broken')\n")
    with pytest.raises(ImportError, match="probe is broken"):
        make_app(PLUGINS="probe")
