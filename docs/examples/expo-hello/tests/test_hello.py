"""Tests of expo-hello, on Expo's shared fixtures (``expo.testing``, a pytest plugin that comes with
Expo): every test runs on SQLite and on PostgreSQL.

The example is registered as a module (``plugins=[expo_hello]``) with the installed plugins
switched off; an installed plugin would instead use ``@pytest.mark.plugins("hello")``.
"""
import logging
import re

import pytest
from sqlalchemy import select

import expo_hello
from expo.hooks import db_session, models
from expo.testing import new_client, new_contact


@pytest.fixture
def app(make_app):
    # Overrides expo.testing's ``app``: client, login_as, make_user and api all use this one.
    return make_app(plugins=[expo_hello], PLUGINS="none")


@pytest.fixture
def firm(app, make_user):
    owner, other, viewer = make_user("manager"), make_user("manager"), make_user("viewer")
    with app.app_context():
        client = new_client(owner, name="ООО «Привет»")
    return {"owner": owner, "other": other, "viewer": viewer, "client": client}


def test_the_page_needs_a_login_and_is_in_the_menu(app, firm, login_as):
    assert app.test_client().get("/hello/").status_code == 302
    page = login_as(firm["owner"])
    assert 'href="/hello/"' in page.get("/").get_data(as_text=True)
    assert "Hello from a plugin!" in page.get("/hello/").get_data(as_text=True)


def test_the_panel_shows_only_clients_the_user_may_see(firm, login_as):
    client_id = firm["client"].id
    page = login_as(firm["owner"])
    assert f'hx-get="/hello/panel/{client_id}"' in page.get(f"/clients/{client_id}").get_data(as_text=True)
    assert "Hello, ООО «Привет»." in page.get(f"/hello/panel/{client_id}").get_data(as_text=True)
    assert login_as(firm["other"]).get(f"/hello/panel/{client_id}").status_code == 404


def test_greeting_writes_commits_and_the_job_tells_the_manager(app, firm, make_user, login_as):
    client_id = firm["client"].id
    planner = make_user("planner")
    page = login_as(planner)
    assert page.post(f"/hello/clients/{client_id}/greet").status_code == 400  # no CSRF token
    response = page.submit(f"/hello/clients/{client_id}/greet", htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "expo:changed"
    with app.app_context():
        texts = db_session().scalars(select(models.Activity.text).where(models.Activity.client_id == client_id)).all()
        notes = db_session().scalars(select(models.Notification.text).where(
            models.Notification.user_id == firm["owner"].id)).all()
    assert texts == ["Hello from expo-hello!"]
    assert notes == ["ООО «Привет» was greeted."]  # the queued job ran after the commit
    assert "Greetings sent to your clients: 1" in login_as(firm["owner"]).get("/hello/").get_data(as_text=True)
    assert login_as(firm["viewer"]).submit(f"/hello/clients/{client_id}/greet").status_code == 403


def test_the_contacts_column_sorts_the_client_list(app, firm, login_as, caplog):
    with app.app_context(), caplog.at_level(logging.INFO, logger="expo_hello"):
        busy = new_client(firm["owner"], name="АО «Много контактов»")
        for name in ("Анна", "Борис"):
            new_contact(firm["owner"], busy, name=name)
    assert "new client: АО «Много контактов»" in caplog.text
    page = login_as(firm["owner"])
    html = page.get("/clients/?sort=-contacts").get_data(as_text=True)
    assert "Contacts" in html and html.index("Много контактов") < html.index("Привет")
    assert re.search(r"<td[^>]*>2</td>", html)  # the cell (labelled with its column for phones)
