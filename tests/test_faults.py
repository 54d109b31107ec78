"""Faults while the app runs (issue 8): PostgreSQL restarted, Redis stopped then started.

Both run on *private* servers this test starts in a temporary folder on free ports (the machine's
shared ones are never touched). The binaries ship with the PostgreSQL and Redis packages CI
installs; on a machine without them the test is skipped with the reason, except under CI.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, text

from expo import create_app
from expo.core import clock, db, jobs
from expo.core.migrate import upgrade
from expo.core.models import SYSTEM, User
from expo.core.services import notifications
from expo.core.services.users import hash_password, issue_token

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None) \
    if Path("/usr/lib/postgresql").exists() else None


def _missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required under CI")
    pytest.skip(f"{what} is not installed here")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """initdb + pg_ctl in a temporary folder, as the postgres user when we are root (initdb refuses root)."""

    def __init__(self, folder: Path):
        self.data, self.port = folder / "pgdata", _free_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_owner:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.as_owner, str(PG_BIN / tool), *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.data.parent / "pg.log"), "-o",
                  f"-p {self.port} -k {self.data.parent} -c listen_addresses=127.0.0.1 -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")  # as a crash would


@pytest.fixture
def postgres():
    if PG_BIN is None or not (PG_BIN / "initdb").exists():
        _missing("PostgreSQL (initdb, pg_ctl)")
    # Directly under /tmp: the postgres user cannot enter pytest's root-only folders.
    folder = Path(tempfile.mkdtemp(prefix="expo-pg-"))
    try:
        server = PrivatePostgres(folder)
        server.start()
        yield server
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class PrivateRedis:
    def __init__(self):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no", "--daemonize", "no"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                Redis.from_url(self.url).ping()
                return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("the private Redis did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def redis_server():
    if shutil.which("redis-server") is None:
        _missing("redis-server")
    server = PrivateRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def _app(tmp_path, **config):
    settings = {"INSTANCE_DIR": str(tmp_path / "instance"), "TESTING": True, "LOCALE": "en", "PLUGINS": "all"}
    return create_app({**settings, **config})


def _planner_token(app) -> str:
    with app.app_context():
        planner = User(email="p@firm.ru", name="P", role="planner", password_hash=hash_password("pw-secret"))
        db.session().add(planner)
        db.session().flush()
        token = issue_token(planner, SYSTEM)
        db.commit()
    return token


def test_the_app_rides_out_a_postgresql_restart(postgres, tmp_path):
    app = _app(tmp_path, DATABASE_URL=postgres.url)
    upgrade(app)
    http = app.test_client()
    auth = {"Authorization": f"Bearer {_planner_token(app)}"}
    assert http.post("/api/v1/clients", json={"name": "До перезапуска"}, headers=auth).status_code == 201
    assert http.get("/api/v1/clients", headers=auth).status_code == 200  # the pool holds a connection now

    postgres.stop()
    down = http.get("/api/v1/clients", headers=auth)
    assert down.status_code == 503 and down.json["error"]["code"] == "unavailable"  # said, not a 500
    postgres.start()

    # the pool notices its dead connections (pre-ping) and reconnects: no restart of the app
    assert http.post("/api/v1/clients", json={"name": "После перезапуска"}, headers=auth).status_code == 201
    names = [c["name"] for c in http.get("/api/v1/clients", headers=auth).json["items"]]
    assert sorted(names) == ["До перезапуска", "После перезапуска"]  # the committed write survived
    app.extensions["expo.engine"].dispose()


def test_queued_work_runs_once_after_redis_comes_back(redis_server, tmp_path, monkeypatch):
    app = _app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'expo.sqlite3'}", REDIS_URL=redis_server.url)
    upgrade(app)
    token = _planner_token(app)
    outbox = Path(app.config["OUTBOX_DIR"])

    def notify(text):
        with app.app_context():
            notifications.notify([db.session().get(User, 1)], "escalation", text, None)
            db.commit()

    def work():
        monkeypatch.setattr(jobs, "_worker_app", None)
        result = app.test_cli_runner().invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output

    notify("handed to Redis")  # in Redis's queue when it stops: lost with it (no persistence)
    redis_server.stop()
    notify("while Redis was down")  # waits in the outbox
    http = app.test_client()
    subscription = http.post("/api/v1/reports/subscriptions", json={
        "name": "S", "sections": ["summary"], "frequency": "monthly", "day": 1, "recipient_emails": ["a@b.ru"]},
        headers={"Authorization": f"Bearer {token}"})
    assert subscription.status_code == 201
    send = http.post(f"/api/v1/reports/subscriptions/{subscription.json['id']}/send",
                     headers={"Authorization": f"Bearer {token}"})
    assert send.status_code == 503 and send.json["error"]["code"] == "queue_unavailable"  # the user is told

    redis_server.start()
    later = clock.now() + timedelta(minutes=11)  # the lost hand-over is due again
    monkeypatch.setattr(clock, "now", lambda: later)
    work()
    mails = sorted(p.read_text() for p in outbox.glob("*.eml"))
    assert len(mails) == 2 and any("handed to Redis" in m for m in mails) and any("was down" in m for m in mails)
    work()  # draining and working again sends nothing twice
    assert len(list(outbox.glob("*.eml"))) == 2
    with create_engine(f"sqlite:///{tmp_path / 'expo.sqlite3'}").connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM job_outbox")).scalar() == 0
