"""Users and access: passwords, sessions, roles, ownership, CSRF, API tokens."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import ApiToken, AuditEvent, Client, User
from expo.testing import new_client


def _client_of(app, owner_id, name="ООО «Чужой»"):
    with app.app_context():
        planner = db.session().scalar(select(User).where(User.role == "planner"))
        return new_client(planner, name=name, manager_id=owner_id)


def test_login_with_the_right_password_only(client, make_user):
    make_user("manager", email="m@firm.ru")
    assert client.login("m@firm.ru", "wrong").status_code == 401
    assert client.get("/clients/").status_code == 302  # still anonymous: sent to the login page
    response = client.login("M@Firm.ru")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/clients/").status_code == 200


def test_passwords_are_stored_with_argon2(app, runner):
    result = runner.invoke(args=["users", "create", "boss@firm.ru", "--role", "admin", "--password", "s3cret-pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "boss@firm.ru"))
        assert user.password_hash.startswith("$argon2id$") and "s3cret-pw" not in user.password_hash


def test_login_does_not_redirect_off_site(client, make_user):
    make_user("manager", email="m@firm.ru")
    client.fetch_csrf()
    response = client.http.post("/login?next=//evil.example/x", data={
        "email": "m@firm.ru", "password": "secret-pass", "csrf_token": client.csrf_token})
    assert response.headers["Location"] == "/"


def test_a_manager_cannot_see_another_managers_client_by_page_or_api(app, client, api, make_user):
    make_user("planner")
    me, other = make_user("manager", email="me@firm.ru"), make_user("manager")
    mine = _client_of(app, me.id, "ООО «Мой»")
    theirs = _client_of(app, other.id, "ООО «Чужой»")
    client.login("me@firm.ru")
    assert client.get(f"/clients/{mine.id}").status_code == 200
    assert client.get(f"/clients/{theirs.id}").status_code == 404
    assert client.get(f"/clients/{theirs.id}/edit").status_code == 404
    listing = client.get("/clients/").get_data(as_text=True)
    assert "ООО «Мой»" in listing and "ООО «Чужой»" not in listing
    as_me = api(me)
    assert as_me.get(f"/clients/{theirs.id}").status_code == 404
    assert as_me.patch(f"/clients/{theirs.id}", json={"name": "x"}).status_code == 404
    assert [c["id"] for c in as_me.get("/clients").json["items"]] == [mine.id]


def test_a_viewer_reads_everything_and_changes_nothing(app, client, api, make_user):
    make_user("planner")
    viewer = make_user("viewer", email="v@firm.ru")
    someone = _client_of(app, None)
    client.login("v@firm.ru")
    assert client.get(f"/clients/{someone.id}").status_code == 200
    assert client.get("/clients/new").status_code == 403
    assert client.submit("/clients/new", {"name": "ООО «Новый»"}).status_code == 403
    response = api(viewer).post("/clients", json={"name": "ООО «Новый»"})
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id))) == 1


def test_a_manager_cannot_reassign_clients(app, api, make_user):
    make_user("planner")
    me, other = make_user("manager"), make_user("manager")
    mine = _client_of(app, me.id)
    response = api(me).patch(f"/clients/{mine.id}", json={"manager_id": other.id})
    assert response.status_code == 403
    with app.app_context():
        assert db.session().get(Client, mine.id).manager_id == me.id


def test_a_managers_new_client_is_their_own(api, make_user):
    me = make_user("manager")
    created = api(me).post("/clients", json={"name": "ООО «Свой»"})
    assert created.status_code == 201 and created.json["manager_id"] == me.id


def test_posts_without_the_csrf_token_are_rejected_and_change_nothing(app, client, make_user):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    response = client.http.post("/clients/new", data={"name": "ООО «Без токена»"})
    assert response.status_code == 400
    htmx = client.http.post("/clients/new", data={"name": "ООО «Без токена»"}, headers={"HX-Request": "true"})
    assert htmx.status_code == 400
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id))) == 0
    # the same request from the page, with its token (as HTMX sends it, in the header), works
    ok = client.submit("/clients/new", {"name": "ООО «С токеном»"}, htmx=True)
    assert ok.status_code == 204 and ok.headers["HX-Redirect"].startswith("/clients/")


def test_login_itself_needs_the_csrf_token(client, make_user):
    make_user("manager", email="m@firm.ru")
    response = client.http.post("/login", data={"email": "m@firm.ru", "password": "secret-pass"})
    assert response.status_code == 400


def test_api_tokens_are_stored_hashed_and_bad_tokens_get_401(app, runner, make_user):
    make_user("planner", email="p@firm.ru")
    result = runner.invoke(args=["users", "token", "p@firm.ru"])
    token = result.output.strip()
    assert result.exit_code == 0 and len(token) >= 40
    with app.app_context():
        stored = db.session().scalars(select(ApiToken.token_hash)).all()
        assert token not in stored and len(stored) == 1
    http = app.test_client()
    assert http.get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    bad = http.get("/api/v1/clients", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and bad.json["error"]["code"] == "unauthorized"
    assert http.get("/api/v1/clients").status_code == 401


def test_deleting_needs_the_right_and_is_audited(app, client, make_user):
    make_user("planner", email="p@firm.ru")
    admin = make_user("admin", email="a@firm.ru", grants=["clients.delete"])
    target = _client_of(app, None)
    client.login("p@firm.ru")
    assert client.submit(f"/clients/{target.id}/delete").status_code == 403
    client.login("a@firm.ru")
    assert client.submit(f"/clients/{target.id}/delete").status_code == 302
    with app.app_context():
        assert db.session().get(Client, target.id).deleted_at is not None  # soft: restorable by admins
        event = db.session().scalar(select(AuditEvent).where(AuditEvent.action == "delete"))
        assert event.user_id == admin.id and event.object_id == target.id and event.details["name"] == "ООО «Чужой»"


def test_exporting_needs_the_right_and_is_audited(app, client, make_user):
    make_user("planner", email="p@firm.ru")
    make_user("viewer", email="v@firm.ru", grants=["clients.export"])
    _client_of(app, None, "ООО «Экспорт»")
    client.login("p@firm.ru")
    assert client.submit("/clients/export").status_code == 403
    client.login("v@firm.ru")
    response = client.submit("/clients/export", {"region": "Москва"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "ООО «Экспорт»" in response.get_data(as_text=True)
    with app.app_context():
        event = db.session().scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        assert event.details["count"] == 1 and event.details["filters"] == {"region": "Москва"}


def test_admin_pages_are_for_admins(client, make_user):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    assert client.get("/admin/plugins").status_code == 403
    make_user("admin", email="a@firm.ru")
    client.login("a@firm.ru")
    assert client.get("/admin/audit").status_code == 200


def test_every_change_is_audited(app, api, make_user):
    planner = make_user("planner")
    as_planner = api(planner)
    client_id = as_planner.post("/clients", json={"name": "Аудит"}).json["id"]
    as_planner.patch(f"/clients/{client_id}", json={"region": "Тверь"})
    contact_id = as_planner.post(f"/clients/{client_id}/contacts", json={"name": "Ия"}).json["id"]
    as_planner.delete(f"/contacts/{contact_id}")
    as_planner.post(f"/clients/{client_id}/activities", json={"kind": "note", "text": "Заметка"})
    show = as_planner.post("/exhibitions", json={"name": "S", "starts_on": "2026-01-01", "ends_on": "2026-01-02"}).json
    engagement = as_planner.post("/engagements", json={"client_id": client_id, "exhibition_id": show["id"]}).json
    as_planner.patch(f"/engagements/{engagement['id']}", json={"expected_amount": "5"})
    with app.app_context():
        trail = db.session().execute(select(AuditEvent.action, AuditEvent.object_type, AuditEvent.user_id)
                                     .where(AuditEvent.object_type.not_in(("user", "scenario")))
                                     .order_by(AuditEvent.id)).all()
    assert [(a, o) for a, o, _u in trail] == [
        ("create", "client"), ("update", "client"), ("create", "contact"), ("delete", "contact"),
        ("create", "activity"), ("create", "exhibition"), ("create", "engagement"), ("update", "engagement")]
    assert {u for _a, _o, u in trail} == {planner.id}


def test_services_refuse_a_missing_actor_and_system_work_is_audited_as_system(app, make_user, login_as):
    import pytest

    from expo.core.access import require_assign, require_permission, require_write
    from expo.core.models import SYSTEM
    from expo.core.services import clients

    with app.app_context():
        for check in (require_write, require_assign, lambda user: require_permission(user, "clients.delete")):
            with pytest.raises(TypeError, match="actor"):
                check(None)  # never "all rights"
        with pytest.raises(TypeError):
            clients.create_client({"name": "ООО «Никто»"}, None)
        db.rollback()
        created = clients.create_client({"name": "ООО «Из импорта»"}, SYSTEM)
        db.commit()
        event = db.session().scalar(select(AuditEvent).where(AuditEvent.object_id == created.id))
        assert (event.action, event.user_id) == ("create", None)
    admin = make_user("admin")
    page = login_as(admin).get("/admin/audit").get_data(as_text=True)
    assert "<td>system</td>" in page
