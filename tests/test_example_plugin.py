"""The plugin author guide's example plugin (docs/examples/expo-hello) works as documented."""
from __future__ import annotations

import importlib
import sys

import pytest
from sqlalchemy import select

from expo import ROOT
from expo.core import db
from expo.core.models import User
from tests.conftest import PageClient
from tests.factories import new_client


@pytest.fixture
def hello(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "docs" / "examples" / "expo-hello"))
    module = importlib.import_module("expo_hello")
    yield module
    sys.modules.pop("expo_hello", None)


def test_the_example_plugin_adds_a_page_a_menu_entry_and_a_panel(make_app, make_user, hello, caplog):
    app = make_app(plugins=[hello])
    make_user("planner", email="p@firm.ru")
    owner = make_user("manager")
    make_user("manager", email="s@firm.ru")
    with app.app_context(), caplog.at_level("INFO", logger="expo_hello"):
        planner = db.session().scalar(select(User).where(User.role == "planner"))
        client = new_client(planner, name="ООО «Привет»", manager_id=owner.id)
    assert "new client: ООО «Привет»" in caplog.text
    page = PageClient(app)
    page.login("p@firm.ru")
    assert 'href="/hello/"' in page.get("/").get_data(as_text=True)
    assert "Hello from a plugin!" in page.get("/hello/").get_data(as_text=True)
    assert f'hx-get="/hello/panel/{client.id}"' in page.get(f"/clients/{client.id}").get_data(as_text=True)
    assert "Hello, ООО «Привет»." in page.get(f"/hello/panel/{client.id}").get_data(as_text=True)
    other = PageClient(app)
    other.login("s@firm.ru")
    assert other.get(f"/hello/panel/{client.id}").status_code == 404  # not their client
