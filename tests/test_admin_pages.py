"""The admin's users page (create, role and rights, deactivate, password reset) and the audit trail."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import SYSTEM, ApiToken, AuditEvent, LoginSession, User
from expo.core.services.users import authenticate, issue_token
from expo.testing import PASSWORD, count_queries


def _user(app, email):
    with app.app_context():
        person = db.session().scalar(select(User).where(User.email == email))
        return person.id, person.role, person.active, sorted(person.permissions)


def test_creating_a_user_with_a_generated_password_shows_it_once(app, make_user, login_as):
    page = login_as(make_user("admin"))
    answer = page.submit("/admin/users", {"name": "Ольга", "email": "Olga@Firm.ru", "role": "manager",
                                           "generate": "1", "permissions": ["clients.export"]})
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    password = re.search(r'id="one-time-password">([^<]+)<', answer.get_data(as_text=True)).group(1)
    user_id, role, active, rights = _user(app, "olga@firm.ru")
    assert (role, active, rights) == ("manager", True, ["clients.export"])
    with app.app_context():
        assert authenticate("olga@firm.ru", password) is not None
        assert db.session().scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "user", AuditEvent.object_id == user_id)) == 2  # create + grant
    assert password not in page.get("/admin/users").get_data(as_text=True)


def test_create_refuses_bad_input_and_changes_nothing(app, make_user, login_as):
    admin = make_user("admin")
    make_user("manager", email="taken@firm.ru")
    page = login_as(admin)
    for form, field, message in (
            ({"name": "X", "email": "TAKEN@firm.ru", "role": "manager", "password": "secret1"}, "email",
             "A user with this e-mail exists."),
            ({"name": "X", "email": "x@firm.ru", "role": "manager", "password": "abc"}, "password",
             "At least 4 characters."),
            ({"name": "X", "email": "x@firm.ru", "role": "manager"}, "password", "Enter a password"),
            ({"name": "X", "email": "x@firm.ru", "role": "boss", "password": "secret1"}, "role", ""),
            ({"name": "X", "email": "x@firm.ru", "role": "manager", "password": "secret1",
              "permissions": ["root.everything"]}, "permissions", "Unknown right")):
        answer = page.submit("/admin/users", form)
        assert answer.status_code == 422, form
        assert message in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(User)) == 2


def test_role_and_rights_are_edited_with_labels(app, make_user, login_as):
    admin, manager = make_user("admin"), make_user("manager")
    page = login_as(admin)
    body = page.get(f"/admin/users/{manager.id}").get_data(as_text=True)
    assert "Delete clients" in body and "Export the client base" in body and ">clients.delete<" not in body
    assert page.submit(f"/admin/users/{manager.id}/access",
                       {"role": "planner", "permissions": ["clients.delete"]}).status_code == 302
    assert _user(app, manager.email)[1:] == ("planner", True, ["clients.delete"])
    assert "Delete clients" in page.get("/admin/users").get_data(as_text=True)
    assert page.submit(f"/admin/users/{manager.id}/access", {"role": "planner"}).status_code == 302
    assert _user(app, manager.email)[3] == []


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(app, make_user, login_as):
    admin = make_user("admin")
    page = login_as(admin)
    answer = page.submit(f"/admin/users/{admin.id}/access", {"role": "manager"})
    assert answer.status_code == 422 and "last active administrator" in answer.get_data(as_text=True)
    answer = page.submit(f"/admin/users/{admin.id}/active", {"active": "0"})
    assert answer.status_code == 422 and "last active administrator" in answer.get_data(as_text=True)
    assert _user(app, admin.email)[1:3] == ("admin", True)
    other = make_user("admin")
    assert page.submit(f"/admin/users/{other.id}/active", {"active": "0"}).status_code == 302
    assert _user(app, other.email)[2] is False
    assert page.submit(f"/admin/users/{admin.id}/access", {"role": "manager"}).status_code == 422  # still the last
    assert page.submit(f"/admin/users/{other.id}/active", {"active": "1"}).status_code == 302
    assert _user(app, other.email)[2] is True
    assert page.submit(f"/admin/users/{admin.id}/active", {"active": "maybe"}).status_code == 400


def test_deactivating_ends_sessions_and_tokens(app, make_user, login_as):
    admin, manager = make_user("admin"), make_user("manager")
    theirs = login_as(manager)
    page = login_as(admin)
    assert page.submit(f"/admin/users/{manager.id}/active", {"active": "0"}).status_code == 302
    assert theirs.get("/").status_code == 302  # logged out
    assert "deactivated" in page.get(f"/admin/users/{manager.id}").get_data(as_text=True)


def test_a_password_reset_ends_sessions_and_revokes_tokens(app, make_user, login_as):
    admin, manager = make_user("admin"), make_user("manager")
    theirs = login_as(manager)
    with app.app_context():
        issue_token(db.session().get(User, manager.id), SYSTEM)
        db.commit()
    page = login_as(admin)
    answer = page.submit(f"/admin/users/{manager.id}/password", {})
    assert answer.status_code == 422 and "Enter a password" in answer.get_data(as_text=True)
    answer = page.submit(f"/admin/users/{manager.id}/password", {"password": "ab"})
    assert answer.status_code == 422 and "At least 4 characters." in answer.get_data(as_text=True)
    assert theirs.get("/").status_code == 200  # the refusals changed nothing
    answer = page.submit(f"/admin/users/{manager.id}/password", {"password": "new-secret"})
    assert answer.status_code == 200 and 'id="one-time-password"' not in answer.get_data(as_text=True)
    assert theirs.get("/").status_code == 302
    with app.app_context():
        assert authenticate(manager.email, "new-secret") is not None
        assert authenticate(manager.email, PASSWORD) is None
        assert db.session().scalar(select(func.count()).select_from(ApiToken).where(
            ApiToken.user_id == manager.id, ApiToken.revoked_at.is_(None))) == 0
        assert db.session().scalar(select(func.count()).select_from(LoginSession).where(
            LoginSession.user_id == manager.id)) == 0
    answer = page.submit(f"/admin/users/{manager.id}/password", {"generate": "1"})
    password = re.search(r'id="one-time-password">([^<]+)<', answer.get_data(as_text=True)).group(1)
    with app.app_context():
        assert authenticate(manager.email, password) is not None


def test_unknown_user_is_404(make_user, login_as):
    page = login_as(make_user("admin"))
    assert page.get("/admin/users/999999").status_code == 404
    assert page.submit("/admin/users/999999/password", {"password": "secret1"}).status_code == 404


def _event(app, action, user_id, at, object_type="client", object_id=None, **details):
    with app.app_context():
        db.session().add(AuditEvent(action=action, object_type=object_type, object_id=object_id, user_id=user_id,
                                    at=at, details=details))
        db.commit()


def test_audit_describes_events_in_words_and_links_objects(app, make_user, login_as):
    admin, manager = make_user("admin"), make_user("manager", name="Пётр")
    _event(app, "update", admin.id, datetime(2026, 11, 3, 9, tzinfo=timezone.utc), "user", manager.id,
           role=["manager", "planner"])
    _event(app, "grant", admin.id, datetime(2026, 11, 3, 10, tzinfo=timezone.utc), "user", 424242,
           permission="clients.delete")
    body = login_as(admin).get("/admin/audit").get_data(as_text=True)
    assert "right granted" in body and "Delete clients" in body and "clients.delete" not in body
    assert "client-manager → planner" in body and "<dt>Role</dt>" in body
    assert f'href="/admin/users/{manager.id}">Пётр</a>' in body
    assert "№ 424242" in body and 'href="/admin/users/424242"' not in body  # gone: no link
    table = body[body.index('id="audit"'):]
    assert "&#34;" not in table and '{"' not in table  # no raw JSON


def test_audit_filters_by_who_what_and_the_firms_days(app, make_user, login_as):
    admin, manager = make_user("admin"), make_user("manager")
    # 22:30 UTC on 2 November is 01:30 on 3 November in Moscow (the default EXPO_TIMEZONE)
    _event(app, "export", manager.id, datetime(2026, 11, 2, 22, 30, tzinfo=timezone.utc), object_id=1, marker="a")
    _event(app, "export", admin.id, datetime(2026, 11, 2, 20, 0, tzinfo=timezone.utc), object_id=2, marker="b")
    _event(app, "delete", manager.id, datetime(2026, 11, 5, 12, 0, tzinfo=timezone.utc), object_id=3, marker="c")
    page = login_as(admin)

    def markers(query):
        answer = page.get("/admin/audit?" + query)
        assert answer.status_code == 200, query
        return set(re.findall(r"<dd>([abc])</dd>", answer.get_data(as_text=True)))

    assert markers("") == {"a", "b", "c"}
    assert markers(f"user_id={manager.id}") == {"a", "c"}
    assert markers("action=export") == {"a", "b"}
    assert markers("from=2026-11-03&to=2026-11-03") == {"a"}
    assert markers("to=2026-11-02") == {"b"}
    assert markers(f"user_id={manager.id}&action=delete&from=2026-11-04") == {"c"}
    for bad in ("from=yesterday", "action=hack", "user_id=x"):
        assert page.get("/admin/audit?" + bad).status_code == 422, bad
    body = page.get("/admin/audit").get_data(as_text=True)
    assert '<option value="export">export</option>' in body


def test_audit_pages_by_fifty_with_a_bounded_number_of_statements(app, make_user, login_as):
    admin = make_user("admin")
    with app.app_context():
        db.session().add_all([AuditEvent(action="export", object_type="client", object_id=i, user_id=admin.id,
                                         details={"n": i}) for i in range(1, 121)])
        db.commit()
    page = login_as(admin)
    counts = []
    for offset in (0, 50, 100):
        with count_queries(app) as statements:
            body = page.get(f"/admin/audit?action=export&offset={offset}").get_data(as_text=True)
        counts.append(len(statements))
        rows = re.findall(r"<dt>n</dt><dd>(\d+)</dd>", body)
        assert len(rows) == (50 if offset < 100 else 20)
        assert rows[0] == str(120 - offset)
        assert ("Next" in body) == (offset < 100) and ("Previous" in body) == (offset > 0)
        if offset < 100:
            assert f"offset={offset + 50}" in body and "action=export" in body
    assert max(counts) <= 8 and len(set(counts)) == 1, counts


def test_the_command_line_keeps_the_same_last_admin_rule(app, make_user, runner):
    admin = make_user("admin", email="only@firm.ru")
    for command in (["users", "deactivate", admin.email], ["users", "role", admin.email, "planner"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0 and "last active administrator" in result.output, command
    assert _user(app, admin.email)[1:3] == ("admin", True)
