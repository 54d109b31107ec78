"""Unique keys hold under concurrency, on both databases (issue 8, item 3).

Each service checks for a duplicate first (for a friendly message), but two requests can both
pass that check; only the database's unique index decides the race. The loser gets a 409 naming
the field, never a 500 and never a second row.
"""
from __future__ import annotations

import threading

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from expo.core import db
from expo.core.migrate import alembic_config
from expo.core.models import SYSTEM, AuditEvent, Client, Engagement, Scenario, User
from expo.testing.fixtures import _postgres_database


def _race(app, token, method, url, bodies):
    """Send the requests at the same moment from parallel threads; returns the responses."""
    start = threading.Barrier(len(bodies))
    responses = [None] * len(bodies)

    def send(i):
        http = app.test_client()
        start.wait()
        responses[i] = getattr(http, method)(f"/api/v1{url}", json=bodies[i],
                                             headers={"Authorization": f"Bearer {token}"})

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.fixture
def planner_token(app, api, make_user):
    return api(make_user("planner")).token


def test_twelve_parallel_clients_with_one_tax_id_make_one_client(app, planner_token):
    responses = _race(app, planner_token, "post", "/clients",
                      [{"name": f"Клиент {i}", "tax_id": "7707083893"} for i in range(12)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 11, [r.get_data(as_text=True) for r in responses]
    refusals = [r.json["error"] for r in responses if r.status_code == 409]
    # the loser of the race is told which field clashed (a busy SQLite may ask to retry instead)
    assert any(e["fields"] == {"tax_id": "Another client has this tax id."} for e in refusals)
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id)).where(Client.tax_id == "7707083893")) == 1


def test_the_race_itself_is_answered_409_with_the_field(app, api, make_user, monkeypatch):
    """Even when the friendly check is passed (as by a concurrent request), the index refuses."""
    from expo.core.services import clients

    as_planner = api(make_user("planner"))
    assert as_planner.post("/clients", json={"name": "A", "tax_id": "7707083893"}).status_code == 201
    monkeypatch.setattr(clients, "_check_unique_tax_id", lambda *args: None)
    response = as_planner.post("/clients", json={"name": "B", "tax_id": "7707083893"})
    assert response.status_code == 409 and response.json["error"]["fields"] == {
        "tax_id": "Another client has this tax id."}
    other = as_planner.post("/clients", json={"name": "C", "tax_id": "500100732259"}).json["id"]
    response = as_planner.patch(f"/clients/{other}", json={"tax_id": "7707083893"})
    assert response.status_code == 409 and "tax_id" in response.json["error"]["fields"]


def test_many_clients_may_have_no_tax_id(api, make_user):
    as_planner = api(make_user("planner"))
    assert all(as_planner.post("/clients", json={"name": f"Без ИНН {i}"}).status_code == 201 for i in range(3))


def test_a_duplicate_tax_id_on_the_form_is_shown_at_the_field(client, make_user):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    client.submit("/clients/new", {"name": "Первый", "tax_id": "7707083893", "category": "potential"})
    response = client.submit("/clients/new", {"name": "Второй", "tax_id": "7707083893", "category": "potential"})
    assert response.status_code == 422 and "Another client has this tax id" in response.get_data(as_text=True)


def test_parallel_engagements_for_one_client_and_exhibition(app, api, make_user):
    planner = make_user("planner")
    as_planner = api(planner)
    client_id = as_planner.post("/clients", json={"name": "К"}).json["id"]
    show = as_planner.post("/exhibitions", json={"name": "S", "starts_on": "2026-01-01", "ends_on": "2026-01-02"})
    responses = _race(app, as_planner.token, "post", "/engagements",
                      [{"client_id": client_id, "exhibition_id": show.json["id"]}] * 8)
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    with app.app_context():
        assert db.session().scalar(select(func.count(Engagement.id))) == 1
        # the first engagements installed the default scenario once, not once per request
        assert db.session().scalar(select(func.count(Scenario.id)).where(Scenario.is_default)) == 1


def test_a_user_e_mail_clash_is_a_conflict_naming_the_field(app, make_user, monkeypatch):
    from expo.core.errors import Conflict
    from expo.core.services import users

    make_user("manager", email="ann@firm.ru")
    monkeypatch.setattr(users, "find_by_email", lambda email: None)  # as if a concurrent create passed the check
    with app.app_context(), pytest.raises(Conflict) as refused:
        users.create_user({"email": "ann@firm.ru", "name": "Ann", "role": "manager", "password": "long-enough"}, SYSTEM)
    assert refused.value.fields == {"email": "A user with this e-mail exists."}


def test_a_grant_or_a_mapping_written_meanwhile_is_no_clash(app, make_user):
    """Check-then-insert paths that only a race reaches: the row another request wrote first wins."""
    from expo.core.imports.fields import remember_mapping, saved_mapping
    from expo.core.models import PermissionGrant
    from expo.core.services import users

    ann = make_user("planner", email="ann@firm.ru")
    with app.app_context():
        stale = db.session().get(User, ann.id)
        assert stale.permissions == set()  # what this request read before the other one committed
        with app.extensions["expo.engine"].begin() as other_request:
            other_request.execute(PermissionGrant.__table__.insert().values(user_id=ann.id, permission="clients.export"))
            other_request.execute(text("INSERT INTO import_mappings (kind, header_key, mapping, updated_at) "
                                       "VALUES ('clients', 'abc', '{\"name\": 0}', CURRENT_TIMESTAMP)"))
        users.grant(stale, "clients.export", SYSTEM)
        remember_mapping("clients", "abc", {"name": 1})
        db.commit()
        assert db.session().get(User, ann.id).permissions == {"clients.export"}
        assert saved_mapping("clients", "abc") == {"name": 1}


def test_the_cli_refuses_a_second_user_with_the_same_e_mail(runner, make_user):
    make_user("manager", email="ann@firm.ru")
    result = runner.invoke(args=["users", "create", "ANN@firm.ru", "--role", "viewer", "--password", "pw-long"])
    assert result.exit_code != 0 and "exists" in result.output


@pytest.fixture
def empty_database(app, tmp_path):
    """A second, empty database of the same kind as the test's, for running migrations from scratch."""
    if app.extensions["expo.engine"].dialect.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
    else:
        url, drop = _postgres_database()
        yield url
        drop()


def test_migration_0004_keeps_the_oldest_clients_tax_id_and_audits_the_rest(empty_database):
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.execute(text(
            "INSERT INTO clients (id, name, name_search, tax_id, category, created_at, updated_at) VALUES "
            "(1, 'Old', 'old', '7707083893', 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            "(2, 'Dup', 'dup', '7707083893', 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            "(3, 'Dup 2', 'dup 2', '7707083893', 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            "(4, 'Other', 'other', '500100732259', 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            "(5, 'None', 'none', NULL, 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),"
            "(6, 'None 2', 'none 2', NULL, 'potential', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "heads")
    with engine.connect() as connection:
        tax_ids = dict(connection.execute(select(Client.id, Client.tax_id)).all())
        assert tax_ids == {1: "7707083893", 2: None, 3: None, 4: "500100732259", 5: None, 6: None}
        cleared = connection.execute(select(AuditEvent.object_id, AuditEvent.details)
                                     .where(AuditEvent.action == "tax_id_cleared").order_by(AuditEvent.object_id)).all()
        assert cleared == [(2, {"tax_id": "7707083893", "kept_by": 1}), (3, {"tax_id": "7707083893", "kept_by": 1})]
    with engine.begin() as connection, pytest.raises(Exception, match="(?i)unique"):
        connection.execute(text("UPDATE clients SET tax_id = '500100732259' WHERE id = 1"))
    engine.dispose()


def test_users_keep_their_e_mail_unique_in_the_database(ctx):
    ctx.add_all([User(email="x@firm.ru", name="X", role="viewer", password_hash="h"),
                 User(email="x@firm.ru", name="Y", role="viewer", password_hash="h")])
    with pytest.raises(Exception, match="(?i)unique"):
        ctx.flush()
    ctx.rollback()
