"""Security headers, cookie flags, server-side logout and API token life (issue 8, item 7)."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import ApiToken, User
from expo.testing import PageClient
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


def test_pages_and_the_api_send_the_security_headers(client, api, make_user):
    planner = make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    for response in (client.get("/clients/"), client.get("/login"), api(planner).get("/clients")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP: HSTS would be a lie


def test_pages_need_no_inline_script_or_style(app, client, make_user):
    """The CSP forbids inline code: no page may rely on it (htmx runs without eval)."""
    # an administrator holding every right sees every button (a right-only button once hid an onsubmit=)
    planner = make_user("admin", email="p@firm.ru", grants=("clients.delete", "clients.export"))
    import copy

    from expo.testing import DESIGN_EXAMPLE

    definition = copy.deepcopy(DESIGN_EXAMPLE)
    definition["steps"][0]["actions"][0]["document_template"] = "Dear {{ client.name }}"
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p, definition)
        engagement = new_engagement(p, new_client(p), new_exhibition(p), scenario_id=scenario.id)
        action_id = scenario.steps[0].actions[0].id
    client.login("p@firm.ru")
    pages = ["/", "/clients/", f"/clients/{engagement.client_id}", f"/clients/{engagement.client_id}/delete",
             "/clients/delete", "/clients/new", f"/engagements/{engagement.id}",
             f"/engagements/{engagement.id}/documents/{action_id}.html", "/scenarios/new", "/reports/",
             "/exhibitions/", f"/exhibitions/{engagement.exhibition_id}", "/tasks", "/imports/", "/admin/users",
             "/admin/deleted-clients", "/admin/audit", "/segments/", "/ratings/rules", "/login"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=|javascript:", html), url
    base = client.get("/").get_data(as_text=True)
    assert '"allowEval": false' in base and '"includeIndicatorStyles": false' in base


def test_the_session_cookie_is_lax_and_http_only(client, make_user):
    make_user("manager", email="m@firm.ru")
    cookie = client.login("m@firm.ru").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_with_https_cookies_are_secure_and_hsts_is_sent(make_app, make_user):
    app = make_app(HTTPS=True)
    make_user("manager", email="m@firm.ru")
    page = PageClient(app)
    response = page.login("m@firm.ru")
    assert "Secure" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_cookie_copied_before_logout_stops_working(app, client, make_user):
    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    stolen = client.http.get_cookie("session").value
    assert client.get("/clients/").status_code == 200
    client.submit("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/clients/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logging_out_ends_only_that_browsers_session(app, make_user):
    make_user("manager", email="m@firm.ru")
    laptop, phone = PageClient(app), PageClient(app)
    laptop.login("m@firm.ru")
    phone.login("m@firm.ru")
    laptop.submit("/logout")
    assert laptop.get("/clients/").status_code == 302
    assert phone.get("/clients/").status_code == 200


def test_a_deactivated_user_is_logged_out(app, client, make_user):
    user = make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    with app.app_context():
        db.session().get(User, user.id).active = False
        db.commit()
    assert client.get("/clients/").status_code == 302


def test_a_login_expires_after_the_session_days_and_its_row_is_purged(app, client, make_user, frozen_clock):
    from expo.core.models import LoginSession
    from expo.core.services.users import purge_expired_sessions

    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    frozen_clock.advance(days=13)
    assert client.get("/clients/").status_code == 200
    frozen_clock.advance(days=2)  # 15 days after the login; EXPO_SESSION_DAYS is 14
    assert client.get("/clients/").status_code == 302
    with app.app_context():
        assert purge_expired_sessions() == {"purged": 1}
        db.commit()
        assert db.session().scalar(select(LoginSession)) is None


# --- API tokens: expiry, list, revocation -------------------------------------------------------

def _get(app, token):
    return app.test_client().get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"})


def test_a_token_with_an_expiry_stops_working_then(app, runner, make_user, monkeypatch):
    make_user("planner", email="p@firm.ru")
    token = runner.invoke(args=["users", "token", "p@firm.ru", "--days", "30", "--label", "1C sync"]).output.strip()
    assert _get(app, token).status_code == 200
    later = clock.now() + timedelta(days=31)
    monkeypatch.setattr(clock, "now", lambda: later)
    response = _get(app, token)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"
    listing = runner.invoke(args=["users", "tokens", "p@firm.ru"]).output
    assert "1C sync" in listing and "expired" in listing


def test_tokens_are_listed_and_revoked_on_the_command_line(app, runner, make_user):
    make_user("planner", email="p@firm.ru")
    keep = runner.invoke(args=["users", "token", "p@firm.ru"]).output.strip()
    drop = runner.invoke(args=["users", "token", "p@firm.ru", "--label", "old script"]).output.strip()
    with app.app_context():
        ids = db.session().scalars(select(ApiToken.id).order_by(ApiToken.id)).all()
    listing = runner.invoke(args=["users", "tokens", "p@firm.ru"]).output
    assert all(str(i) in listing for i in ids) and listing.count("active") == 2 and keep not in listing
    result = runner.invoke(args=["users", "revoke", str(ids[1])])
    assert result.exit_code == 0, result.output
    assert _get(app, drop).status_code == 401 and _get(app, keep).status_code == 200
    assert "revoked" in runner.invoke(args=["users", "tokens", "p@firm.ru"]).output
    assert runner.invoke(args=["users", "revoke", "999999"]).exit_code != 0


def test_admins_see_and_revoke_tokens_on_the_users_page(app, client, api, make_user):
    manager = make_user("manager", email="m@firm.ru")
    make_user("admin", email="a@firm.ru")
    robot = api(manager)
    with app.app_context():
        token_id = db.session().scalar(select(ApiToken.id))
    client.login("a@firm.ru")
    page = client.get("/admin/users").get_data(as_text=True)
    assert f"#{token_id}" in page and f"/admin/tokens/{token_id}/revoke" in page
    assert client.submit(f"/admin/tokens/{token_id}/revoke").status_code == 302
    assert robot.get("/clients").status_code == 401
    client.login("m@firm.ru")
    assert client.submit(f"/admin/tokens/{token_id}/revoke").status_code == 403


def test_an_htmx_request_after_the_session_ended_sends_the_browser_to_the_login_page(app, client, make_user):
    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    client.submit("/logout")
    fragment = client.http.get("/clients/?q=Ром", headers={"HX-Request": "true",
                                                          "HX-Current-URL": "http://localhost/clients/?q=Р"})
    assert fragment.status_code == 401 and fragment.get_data() == b""  # nothing to swap into the list
    assert fragment.headers["HX-Redirect"].startswith("/login?next=/clients/")
    page = client.http.get("/clients/?q=Ром")
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/clients/")


def test_the_session_user_is_the_sessions_object_as_if_loaded(app, make_user):
    """user_for_session builds the user from the session statement's columns: it is persistent and
    unchanged (a flush writes nothing), with its rights, and a change to it is saved."""
    from sqlalchemy import inspect

    from expo.core.services.users import grant, start_session, user_for_session

    person = make_user("planner", name="Пётр")
    with app.app_context():
        me = db.session().get(User, person.id)
        grant(me, "clients.export", me)
        token = start_session(me)
        db.commit()
    with app.app_context():
        me = user_for_session(token)
        state = inspect(me)
        assert state.persistent and not state.modified and not db.session().dirty
        assert (me.name, me.role, me.active, me.email) == ("Пётр", "planner", True, person.email)
        assert me.can("clients.export") and not me.can("clients.delete")
        assert db.session().get(User, person.id) is me  # the identity map holds it
        me.name = "Пётр Петров"
        db.commit()
    with app.app_context():
        assert db.session().get(User, person.id).name == "Пётр Петров"
        assert user_for_session("not a token") is None


def test_rights_read_with_the_session_keep_their_keys_whole(app, make_user):
    """The session's statement reads the user's rights joined by a separator no key holds: a
    plugin's key with a space in it stays one right."""
    from expo.core.models import PermissionGrant
    from expo.core.services.users import start_session, user_for_session

    person = make_user("manager")
    with app.app_context():
        db.session().add_all([PermissionGrant(user_id=person.id, permission="odd right"),
                              PermissionGrant(user_id=person.id, permission="clients.export")])
        token = start_session(db.session().get(User, person.id))
        db.commit()
    with app.app_context():
        me = user_for_session(token)
        assert me.permissions == {"odd right", "clients.export"}
        assert me.can("odd right") and not me.can("odd")
