"""The expo command line: users, rights, tokens, migrations, demo data, the worker."""
from __future__ import annotations

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Activity, Client, Engagement, Exhibition, Sale, User
from expo.testing import PageClient


def test_users_create_validates_and_grants(app, runner):
    ok = runner.invoke(args=["users", "create", "dir@firm.ru", "--role", "viewer", "--password", "long-pass",
                             "--name", "Директор", "--grant", "clients.export"])
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session().scalar(select(User).where(User.email == "dir@firm.ru"))
        assert (user.name, user.role, user.permissions) == ("Директор", "viewer", {"clients.export"})
    duplicate = runner.invoke(args=["users", "create", "DIR@firm.ru", "--role", "viewer", "--password", "long-pass"])
    assert duplicate.exit_code != 0 and "exists" in duplicate.output
    bad_role = runner.invoke(args=["users", "create", "x@firm.ru", "--role", "boss", "--password", "long-pass"])
    assert bad_role.exit_code != 0 and "role" in bad_role.output
    bad_right = runner.invoke(args=["users", "create", "y@firm.ru", "--role", "viewer", "--password", "long-pass",
                                    "--grant", "clients.steal"])
    assert bad_right.exit_code != 0 and "clients.steal" in bad_right.output
    with app.app_context():
        assert db.session().scalar(select(func.count(User.id))) == 1


def test_users_grant(app, runner, make_user):
    make_user("planner", email="p@firm.ru")
    assert runner.invoke(args=["users", "grant", "p@firm.ru", "clients.delete"]).exit_code == 0
    assert runner.invoke(args=["users", "grant", "p@firm.ru", "nonsense"]).exit_code != 0
    assert runner.invoke(args=["users", "grant", "nobody@firm.ru", "clients.delete"]).exit_code != 0
    with app.app_context():
        assert db.session().scalar(select(User)).permissions == {"clients.delete"}


def test_users_token_for_unknown_user_fails(runner):
    result = runner.invoke(args=["users", "token", "ghost@firm.ru"])
    assert result.exit_code != 0 and "ghost@firm.ru" in result.output


def test_db_upgrade_is_idempotent(runner):
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0 and "upgraded: core" in result.output


def test_demo_data_makes_a_believable_firm_once(app, runner):
    result = runner.invoke(args=["demo-data", "--scale", "small"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        roles = dict(session.execute(select(User.role, func.count()).group_by(User.role)).all())
        assert roles == {"admin": 1, "planner": 1, "viewer": 1, "manager": 4}
        assert session.scalar(select(func.count(Client.id))) == 500
        assert session.scalar(select(func.count(Exhibition.id))) == 6
        states = dict(session.execute(select(Engagement.state, func.count()).group_by(Engagement.state)).all())
        assert set(states) == {"open", "won", "lost", "declined"}
        assert session.scalar(select(func.count(Activity.id))) > 500
        assert session.scalar(select(func.count(Client.id)).where(Client.name.like("ООО «%"))) > 100
        # past sales, so segments' ABC/XYZ and the reactivation list have something to show
        buyers = session.scalar(select(func.count(Sale.client_id.distinct())))
        assert 200 < buyers < 450 and session.scalar(select(func.count(Sale.id))) > 2000
    again = runner.invoke(args=["demo-data", "--if-empty"])
    assert "skipped" in again.output


def test_the_worker_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "EXPO_REDIS_URL" in result.output


def test_the_recurring_jobs_run_from_the_systems_cron(app, runner, make_user, frozen_clock):
    """Without Redis nothing runs the nightly purges: `expo jobs list` prints their crontab lines and
    `expo jobs run NAME` runs one now."""
    from expo.core.models import Client
    from expo.core.services import deletion
    from expo.testing import new_client

    listing = runner.invoke(args=["jobs", "list"]).output
    for name in ("deadlines", "client-purge", "login-sessions", "job-outbox", "report-subscriptions"):
        assert f"jobs run {name}" in listing
    planner = make_user("planner", grants=["clients.delete"])
    with app.app_context():
        gone = new_client(db.session().get(User, planner.id))
        deletion.delete_client(gone, db.session().get(User, planner.id))
        db.commit()
        gone_id = gone.id
    frozen_clock.advance(days=31)
    result = runner.invoke(args=["jobs", "run", "client-purge", "login-sessions"])
    assert result.exit_code == 0 and "client-purge: {'purged': 1}" in result.output, result.output
    with app.app_context():
        assert db.session().get(Client, gone_id) is None
    refused = runner.invoke(args=["jobs", "run", "no-such-job"])
    assert refused.exit_code != 0 and "no recurring job no-such-job" in refused.output
    assert runner.invoke(args=["jobs", "run"]).exit_code != 0  # nothing named
    everything = runner.invoke(args=["jobs", "run", "--all"])  # as scripts/run.sh does after the demo data
    assert everything.exit_code == 0 and "deadlines:" in everything.output and "login-sessions:" in everything.output


def test_offboarding_a_user_from_the_command_line(app, runner, make_user, login_as, api):
    """Someone leaves or changes job: deactivate (sessions end, tokens revoked), take a right back,
    change the role, reset the password; each audited."""
    from expo.core.models import AuditEvent

    leaver = make_user("planner", email="leaver@firm.ru", grants=["clients.export"])
    page, token_client = login_as(leaver), api(leaver)
    assert page.get("/clients/").status_code == 200 and token_client.get("/clients").status_code == 200
    assert runner.invoke(args=["users", "ungrant", "leaver@firm.ru", "clients.export"]).exit_code == 0
    assert runner.invoke(args=["users", "role", "leaver@firm.ru", "viewer"]).exit_code == 0
    assert page.get("/clients/").status_code == 302  # a new role: log in again
    refused = runner.invoke(args=["users", "role", "leaver@firm.ru", "boss"])
    assert refused.exit_code != 0 and "role" in refused.output
    assert runner.invoke(args=["users", "password", "leaver@firm.ru", "--password", "new-secret"]).exit_code == 0
    assert PageClient(app).login("leaver@firm.ru").status_code == 401  # the old password no longer works
    assert PageClient(app).login("leaver@firm.ru", "new-secret").status_code == 302
    assert runner.invoke(args=["users", "deactivate", "leaver@firm.ru"]).exit_code == 0
    assert token_client.get("/clients").status_code == 401
    with app.app_context():
        person = db.session().get(User, leaver.id)
        assert not person.active and person.role == "viewer" and person.permissions == set()
        actions = db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_type == "user",
                                                                      AuditEvent.object_id == leaver.id)).all()
    assert {"ungrant", "update", "set_password", "deactivate", "revoke_token"} <= set(actions)
    assert runner.invoke(args=["users", "deactivate", "nobody@firm.ru"]).exit_code != 0
