"""Shared fixtures: ``app``, ``client``, ``runner`` (as in Flask's tutorial), on SQLite and PostgreSQL.

Every test that uses ``app`` runs once per database backend. The schema is built once per
backend by the real migrations; each test then starts from empty tables.
PostgreSQL is taken from ``EXPO_TEST_POSTGRES_URL`` (default: the local server); when none is
reachable the PostgreSQL runs are skipped with the reason, except under CI, where that fails.
"""
from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from expo import create_app
from expo.core import db
from expo.core.migrate import upgrade
from expo.core.models import Base, PermissionGrant, User
from expo.core.services.users import hash_password

POSTGRES_ADMIN_URL = os.environ.get("EXPO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PASSWORD = "secret-pass"


def _postgres_database():
    """Create a throw-away database; returns (url, drop) or raises with the reason."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"expo_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)

    def drop():
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'expo.sqlite3'}"
        drop = None
    else:
        try:
            url, drop = _postgres_database()
        except Exception as problem:  # no server here: say so, and fail under CI
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is required under CI and is not reachable: {problem}")
            pytest.skip(f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {problem}")
    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": str(tmp_path_factory.mktemp("instance"))})
    upgrade(app)
    app.extensions["expo.engine"].dispose()
    yield url
    if drop:
        drop()


def _empty_all_tables(engine) -> None:
    with engine.begin() as connection:
        tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
        extra = [row[0] for row in connection.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name LIKE 'probe_%'"
            if engine.dialect.name == "sqlite" else
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename LIKE 'probe_%'"))]
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables + extra)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables + extra:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build apps on the test database; every app made is cleaned up after the test."""
    made = []

    def factory(plugins=(), **config):
        settings = {"DATABASE_URL": database_url, "INSTANCE_DIR": str(tmp_path / "instance"),
                    "TESTING": True, "LOCALE": "en", "PLUGINS": "all"}
        settings.update(config)
        app = create_app(settings, plugins=plugins)
        made.append(app)
        return app

    yield factory
    if made:
        _empty_all_tables(made[0].extensions["expo.engine"])
    for app in made:
        app.extensions["expo.engine"].dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class PageClient:
    """A test client that logs in and sends the CSRF token like a browser page would."""

    def __init__(self, app):
        self.app = app
        self.http = app.test_client()
        self.csrf_token = None

    def __getattr__(self, name):
        return getattr(self.http, name)

    def fetch_csrf(self, url="/login"):
        page = self.http.get(url).get_data(as_text=True)
        self.csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return self.csrf_token

    def login(self, email, password=PASSWORD):
        self.fetch_csrf()
        response = self.http.post("/login", data={"email": email, "password": password,
                                                  "csrf_token": self.csrf_token})
        return response

    def submit(self, url, data=None, htmx=False, **kwargs):
        """POST a form with the session's CSRF token (as a field, or as HTMX's header)."""
        data = dict(data or {})
        headers = kwargs.pop("headers", {})
        if htmx:
            headers.update({"HX-Request": "true", "X-CSRFToken": self.csrf_token})
        else:
            data["csrf_token"] = self.csrf_token
        return self.http.post(url, data=data, headers=headers, **kwargs)


@pytest.fixture
def client(app):
    return PageClient(app)


_FAST_HASH = {}


@pytest.fixture
def make_user(app):
    """Create a user directly (hashing the test password once per session keeps tests quick)."""
    if PASSWORD not in _FAST_HASH:
        _FAST_HASH[PASSWORD] = hash_password(PASSWORD)
    counter = {"n": 0}

    def factory(role="manager", email=None, name=None, grants=()):
        counter["n"] += 1
        with app.app_context():
            user = User(email=email or f"{role}{counter['n']}@firm.ru", name=name or f"{role.title()} {counter['n']}",
                        role=role, password_hash=_FAST_HASH[PASSWORD], active=True)
            user.grants = [PermissionGrant(permission=p) for p in grants]
            db.session().add(user)
            db.commit()
            return user

    return factory


@contextmanager
def as_app(app):
    with app.app_context():
        yield db.session()


@pytest.fixture
def ctx(app):
    """An app context with its session, for service-level tests."""
    with as_app(app) as session:
        yield session


@pytest.fixture
def api(app):
    """Call the JSON API as a user: ``api(user).get(url)`` with the bearer token set."""
    from expo.core.services.users import issue_token

    def for_user(user):
        with app.app_context():
            token = issue_token(db.session().get(User, user.id))
            db.commit()
        return ApiClient(app.test_client(), token)

    return for_user


class ApiClient:
    def __init__(self, http, token):
        self.http, self.token = http, token

    def _call(self, method, url, **kwargs):
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return getattr(self.http, method)(f"/api/v1{url}", headers=headers, **kwargs)

    def get(self, url, **kw): return self._call("get", url, **kw)
    def post(self, url, **kw): return self._call("post", url, **kw)
    def patch(self, url, **kw): return self._call("patch", url, **kw)
    def delete(self, url, **kw): return self._call("delete", url, **kw)
