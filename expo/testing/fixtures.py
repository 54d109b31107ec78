"""The pytest fixtures of :mod:`expo.testing`: databases, apps, logged-in clients, users, time.

Every test that uses ``app`` runs once per database backend. The schema is built once per
backend by the real migrations (the core's and every installed plugin's); each test then starts
from empty tables. PostgreSQL is taken from ``EXPO_TEST_POSTGRES_URL`` (default: the local
server); when none is reachable the PostgreSQL runs are skipped with the reason, except under CI
(``CI`` set), where that fails.
"""
from __future__ import annotations

import os
import sys
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, event, text

from expo import create_app
from expo.core import clock, db
from expo.core.migrate import UNDECLARED_TABLES, downgrade, upgrade
from expo.core.models import SYSTEM, Base, PermissionGrant, User
from expo.core.services.users import hash_password, issue_token
from expo.testing.recorder import Recorder

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
    """A migrated database per backend, shared by the session's tests (tables emptied after each)."""
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
    # Rows a migration seeds (a plugin's defaults) would be seen by the first test only: every test
    # starts from empty tables instead, and puts in what it needs.
    empty_all_tables(app.extensions["expo.engine"])
    app.extensions["expo.engine"].dispose()
    yield url
    if drop:
        drop()


def _table_names(connection) -> list[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    # (SQLite's trigram index of the names empties itself with the clients: its triggers)
    return [name for (name,) in connection.execute(text(query))
            if not name.startswith(("alembic_version", *UNDECLARED_TABLES))]


def empty_all_tables(engine) -> None:
    """Delete every row of every table but the migration versions (models and test plugins' alike)."""
    with engine.begin() as connection:
        present = set(_table_names(connection))
        known = [t.name for t in reversed(Base.metadata.sorted_tables) if t.name in present]
        # Tables no loaded model declares (a test plugin's) hang off the core's: empty them first.
        tables = sorted(present - set(known)) + known
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def make_app(database_url, tmp_path, request):
    """Build apps on the test database: ``make_app(plugins=[module], PLUGINS="ratings", **config)``.

    ``plugins`` are plugin objects registered beside the installed ones; ``PLUGINS`` picks the
    installed ones (default: the test's ``@pytest.mark.plugins("…")``, else all). Every app made
    is disposed of, and the tables emptied, after the test.
    """
    made = []
    marker = request.node.get_closest_marker("plugins")

    def factory(plugins=(), **config):
        settings = {"DATABASE_URL": database_url, "INSTANCE_DIR": str(tmp_path / "instance"),
                    "TESTING": True, "LOCALE": "en", "PLUGINS": marker.args[0] if marker else "all"}
        settings.update(config)
        app = create_app(settings, plugins=plugins)
        made.append(app)
        return app

    yield factory
    if made:
        empty_all_tables(made[0].extensions["expo.engine"])
    for app in made:
        app.extensions["expo.engine"].dispose()


@pytest.fixture
def app(make_app):
    """The app under test (all installed plugins, or those of ``@pytest.mark.plugins``)."""
    return make_app()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextmanager
def as_app(app):
    with app.app_context():
        yield db.session()


@pytest.fixture
def ctx(app):
    """An app context with its session, for service-level tests."""
    with as_app(app) as session:
        yield session


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
        return self.http.post("/login", data={"email": email, "password": password, "csrf_token": self.csrf_token})

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
    """A page client (not logged in: ``client.login(email)``), with real CSRF."""
    return PageClient(app)


@pytest.fixture
def login_as(app):
    """``login_as(user)``: a new page client logged in as that user."""

    def factory(user, target=None):
        page = PageClient(target or app)
        response = page.login(user.email)
        assert response.status_code == 302, f"login as {user.email} failed"
        return page

    return factory


_FAST_HASH = {}


@pytest.fixture
def make_user(app):
    """``make_user(role, email=None, name=None, grants=())``: a user with ``PASSWORD``, committed.

    Created directly (hashing the test password once per session keeps tests quick).
    """
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


@pytest.fixture
def planner(client, make_user):
    """A planner, Пётр Планов (p@firm.ru); the ``client`` fixture is logged in as them."""
    user = make_user("planner", email="p@firm.ru", name="Пётр Планов")
    client.login("p@firm.ru")
    return user


class ApiClient:
    """Calls ``/api/v1`` with a bearer token: ``api(user).get("/clients")``."""

    def __init__(self, http, token):
        self.http, self.token = http, token

    def _call(self, method, url, **kwargs):
        headers = kwargs.pop("headers", {})
        headers.setdefault("Authorization", f"Bearer {self.token}")
        return getattr(self.http, method)(f"/api/v1{url}", headers=headers, **kwargs)

    def get(self, url, **kw): return self._call("get", url, **kw)
    def post(self, url, **kw): return self._call("post", url, **kw)
    def put(self, url, **kw): return self._call("put", url, **kw)
    def patch(self, url, **kw): return self._call("patch", url, **kw)
    def delete(self, url, **kw): return self._call("delete", url, **kw)


@pytest.fixture
def api(app):
    """``api(user)``: an API client with a fresh token of that user."""

    def for_user(user, target=None):
        target = target or app
        with target.app_context():
            token = issue_token(db.session().get(User, user.id), SYSTEM)
            db.commit()
        return ApiClient(target.test_client(), token)

    return for_user


@pytest.fixture
def recorder():
    """A fresh :class:`Recorder`; register it with ``make_app(plugins=[recorder])``."""
    return Recorder()


class FrozenClock:
    """The core's clock (``expo.core.clock.now``), stopped at ``at`` until moved by hand."""

    def __init__(self, monkeypatch, at: datetime):
        self.at = at
        monkeypatch.setattr(clock, "now", lambda: self.at)

    def set(self, at: datetime) -> None:
        self.at = at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def frozen_clock(monkeypatch):
    """The clock stopped on Monday 2 March 2026, 09:00 UTC (``.set(at)``, ``.advance(days=1)``)."""
    return FrozenClock(monkeypatch, datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))


@contextmanager
def count_queries(app):
    """Collect the SQL statements ``app`` sends inside the block: ``with count_queries(app) as sql:``."""
    engine = app.extensions["expo.engine"]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def migrate(app) -> list[str]:
    """Upgrade the database of ``app`` for its plugins (a test plugin's own migrations too)."""
    return upgrade(app)


def unmigrate(app, plugin: str, revision: str = "base") -> None:
    """Downgrade one enabled plugin of ``app`` (to ``base``: its tables dropped), e.g. to test what
    happens when a firm enables it for the first time. Call ``migrate`` afterwards: the other
    tests expect its tables."""
    downgrade(app, plugin, revision)


@pytest.fixture
def install_plugin(tmp_path, monkeypatch):
    """``install_plugin(name, code, migrations=None, version="1.0.0")``: install a real plugin
    distribution for the test — package ``expo_<name>`` with ``code`` as its ``__init__.py``,
    ``migrations`` (``{file name: source}``) in its ``migrations/versions``, and a ``.dist-info``
    with the ``expo.plugins`` entry point — on ``sys.path``. Apps made afterwards find it like
    any installed plugin; ``migrate(app)`` creates its tables.
    """
    names = []

    def factory(name: str, code: str, migrations: dict[str, str] | None = None, version: str = "1.0.0"):
        package = tmp_path / f"expo_{name}"
        versions = package / "migrations" / "versions"
        versions.mkdir(parents=True)
        (package / "__init__.py").write_text(code)
        for filename, source in (migrations or {}).items():
            (versions / filename).write_text(source)
        info = tmp_path / f"expo_{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: expo-{name}\nVersion: {version}\n")
        (info / "entry_points.txt").write_text(f"[expo.plugins]\n{name} = expo_{name}\n")
        names.append(f"expo_{name}")
        return package

    monkeypatch.syspath_prepend(str(tmp_path))
    yield factory
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            del sys.modules[module]
