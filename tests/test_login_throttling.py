"""Failed logins are throttled per account and per address; unknown e-mails cost the same (item 6)."""
from __future__ import annotations

import pytest

from expo.core.services import users
from expo.testing import PageClient
from tests.test_jobs import redis_url  # noqa: F401  (fixture)


def _fail(page, email, times, address="203.0.113.7"):
    return [page.http.post("/login", data={"email": email, "password": "wrong", "csrf_token": page.csrf_token},
                           environ_base={"REMOTE_ADDR": address}).status_code for _ in range(times)]


def test_an_account_is_locked_for_a_while_after_too_many_wrong_passwords(make_app, make_user):
    app = make_app(LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
    make_user("manager", email="m@firm.ru")
    page = PageClient(app)
    page.fetch_csrf()
    assert _fail(page, "m@firm.ru", 3) == [401, 401, 401]
    response = page.http.post("/login", data={"email": "M@firm.ru", "password": "secret-pass",
                                              "csrf_token": page.csrf_token})
    assert response.status_code == 429  # even the right password waits: the guessing stops here
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed logins" in response.get_data(as_text=True)
    assert page.login("other@firm.ru").status_code == 401  # another account is not locked


def test_one_address_cannot_try_account_after_account(make_app, make_user):
    app = make_app(LOGIN_LIMIT_ADDRESS="4 per 15 minutes")
    page = PageClient(app)
    page.fetch_csrf()
    statuses = [_fail(page, f"user{i}@firm.ru", 1)[0] for i in range(6)]
    assert statuses == [401] * 4 + [429] * 2
    assert _fail(page, "user9@firm.ru", 1, address="198.51.100.1") == [401]  # another address is not blocked


def test_people_who_log_in_often_are_never_throttled(make_app, make_user):
    app = make_app(LOGIN_LIMIT_ACCOUNT="2 per 15 minutes", LOGIN_LIMIT_ADDRESS="2 per 15 minutes")
    make_user("manager", email="m@firm.ru")
    page = PageClient(app)
    assert all(page.login("m@firm.ru").status_code == 302 for _ in range(6))  # only failures count


@pytest.mark.parametrize("seconds_since_boot", [None, 30.0])
def test_the_limit_holds_across_web_processes_with_redis(make_app, make_user, redis_url, monkeypatch,  # noqa: F811
                                                         seconds_since_boot):
    """Also in the first minute after a machine boots: the fallback's clock is the monotonic one,
    which starts near zero then."""
    if seconds_since_boot is not None:
        from expo.web import security

        monkeypatch.setattr(security.time, "monotonic", lambda: seconds_since_boot)
    first, second = (PageClient(make_app(REDIS_URL=redis_url, LOGIN_LIMIT_ACCOUNT="2 per 15 minutes"))
                     for _ in range(2))
    first.fetch_csrf()
    second.fetch_csrf()
    assert _fail(first, "m@firm.ru", 2) == [401, 401]
    assert _fail(second, "m@firm.ru", 1) == [429]


def test_unknown_e_mails_cost_one_password_check_like_known_ones(client, make_user, monkeypatch):
    """No timing oracle: the slow Argon2 check runs whether or not the e-mail has an account."""
    make_user("manager", email="m@firm.ru")
    checks = []

    class CountingHasher:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, *args):
            checks.append(1)
            return real.verify(*args)

    real = users._hasher
    monkeypatch.setattr(users, "_hasher", CountingHasher())
    client.login("nobody@firm.ru", "whatever")
    client.login("m@firm.ru", "wrong")
    assert len(checks) == 2


def test_a_bad_limit_setting_stops_start_up(make_app):
    from expo.config import ConfigError

    with pytest.raises(ConfigError, match="LOGIN_LIMIT_ACCOUNT"):
        make_app(LOGIN_LIMIT_ACCOUNT="lots")


def test_redis_down_falls_back_to_memory_not_to_locking_everyone_out(make_app, make_user):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")  # nothing listens
    make_user("manager", email="m@firm.ru")
    page = PageClient(app)
    page.fetch_csrf()
    assert page.login("m@firm.ru").status_code == 302  # people still log in
    assert _fail(page, "m@firm.ru", 3) == [401, 401, 429]  # and guessing is still stopped, per process


def test_only_the_login_asks_the_throttle(app, make_user, login_as, monkeypatch):
    """Pages do not pay for it (Flask-Limiter's hooks cost 0.4 ms on every request)."""
    page = login_as(make_user("manager"))
    asked = []
    monkeypatch.setattr(app.extensions["expo.login_throttle"], "_ask", lambda *arguments: asked.append(arguments))
    for url in ("/", "/clients/", "/exhibitions/", "/tasks"):
        assert page.get(url).status_code == 200
    assert asked == []


def test_every_limit_of_a_setting_holds(make_app, make_user):
    app = make_app(LOGIN_LIMIT_ACCOUNT="5 per 15 minutes; 2 per day")
    page = PageClient(app)
    page.fetch_csrf()
    assert _fail(page, "m@firm.ru", 4) == [401, 401, 429, 429]


def test_the_wait_is_until_every_limit_passed_lets_the_login_in(make_app):
    app = make_app(LOGIN_LIMIT_ACCOUNT="2 per 1 minute", LOGIN_LIMIT_ADDRESS="2 per 15 minutes")
    page = PageClient(app)
    page.fetch_csrf()
    _fail(page, "m@firm.ru", 2)
    response = page.http.post("/login", data={"email": "m@firm.ru", "password": "wrong", "csrf_token": page.csrf_token},
                              environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 429
    assert 60 < int(response.headers["Retry-After"]) <= 15 * 60  # the address's window, not the account's minute
