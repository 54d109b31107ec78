"""The ``expo`` command: a Flask CLI group, so ``expo run`` and every ``flask`` command work.

The command groups below are added to ``app.cli`` by ``create_app`` (with any plugin commands),
so ``expo``, ``flask --app expo`` and the test runner all see the same commands.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from expo.core import db
from expo.core.errors import ExpoError
from expo.core.models import SYSTEM
from expo.config import ConfigError
from expo.core.plugins import plugin_list


def _build_app(*_args, **_kwargs):
    from expo import create_app

    return create_app()


cli = FlaskGroup(create_app=_build_app, help="Expo CRM.")


@click.group("db")
def db_group():
    """Database schema."""


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Upgrade the core schema, then every enabled plugin's."""
    from expo.core.migrate import upgrade

    for name in upgrade(current_app):
        click.echo(f"upgraded: {name}")


@click.group("users")
def users_group():
    """User accounts."""


def _fail(problem: ExpoError) -> None:
    details = "; ".join(f"{field}: {message}" for field, message in problem.fields.items())
    raise click.ClickException(f"{problem.message} {details}".strip())


@users_group.command("create")
@click.argument("email")
@click.option("--role", required=True, help="admin, planner, manager or viewer")
@click.option("--password", required=True)
@click.option("--name", default=None, help="Display name (defaults to the e-mail's local part)")
@click.option("--grant", "grants", multiple=True, help="Extra right, e.g. clients.export (repeatable)")
@with_appcontext
def users_create(email, role, password, name, grants):
    """Create a user."""
    from expo.core.services.users import create_user, grant

    from expo.core.permissions import all_permissions

    unknown = set(grants) - set(all_permissions())
    if unknown:
        raise click.ClickException(f"unknown right(s): {', '.join(sorted(unknown))}")
    try:
        user = create_user({"email": email, "role": role, "password": password,
                            "name": name or email.split("@")[0]}, SYSTEM)
        for permission in grants:
            grant(user, permission, SYSTEM)
    except ExpoError as problem:  # invalid fields, or the e-mail taken (409)
        _fail(problem)
    db.commit()
    click.echo(f"created user {user.id}: {user.email} ({user.role})")


@users_group.command("grant")
@click.argument("email")
@click.argument("permission")
@with_appcontext
def users_grant(email, permission):
    """Grant a right such as clients.export or clients.delete."""
    from expo.core.permissions import all_permissions
    from expo.core.services.users import find_by_email, grant

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    if permission not in all_permissions():
        raise click.ClickException(f"unknown right {permission}; known: {', '.join(sorted(all_permissions()))}")
    grant(user, permission, SYSTEM)
    db.commit()
    click.echo(f"granted {permission} to {user.email}")


def _user(email: str):
    from expo.core.services.users import find_by_email

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    return user


@users_group.command("ungrant")
@click.argument("email")
@click.argument("permission")
@with_appcontext
def users_ungrant(email, permission):
    """Take a right (clients.export, clients.delete, …) back."""
    from expo.core.services.users import ungrant

    user = _user(email)
    ungrant(user, permission, SYSTEM)
    db.commit()
    click.echo(f"{user.email} no longer holds {permission}")


def _set_active(email: str, active: bool) -> None:
    from expo.core.services.users import set_active

    user = _user(email)
    try:
        set_active(user, active, SYSTEM)  # refused for the last active administrator
    except ExpoError as problem:
        _fail(problem)
    db.commit()
    click.echo(f"activated {user.email}" if active else
               f"deactivated {user.email} (their clients keep their manager until a planner hands them over)")


@users_group.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email):
    """Someone left: they can no longer log in; their sessions end and their API tokens are revoked."""
    _set_active(email, False)


@users_group.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email):
    """Let a deactivated user log in again."""
    _set_active(email, True)


@users_group.command("role")
@click.argument("email")
@click.argument("role")
@with_appcontext
def users_role(email, role):
    """Change a user's role (admin, planner, manager, viewer); they log in again."""
    from expo.core.services.users import set_role

    user = _user(email)
    try:
        set_role(user, role, SYSTEM)
    except ExpoError as problem:
        _fail(problem)
    db.commit()
    click.echo(f"{user.email} is now {user.role}")


@users_group.command("password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def users_password(email, password):
    """Set a new password (the user's browser sessions end)."""
    from expo.core.services.users import set_password

    user = _user(email)
    try:
        set_password(user, password, SYSTEM)
    except ExpoError as problem:
        _fail(problem)
    db.commit()
    click.echo(f"new password set for {user.email}")


@users_group.command("token")
@click.argument("email")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Expire after this many days.")
@click.option("--label", default=None, help="What the token is for (shown in the token list).")
@with_appcontext
def users_token(email, days, label):
    """Print a new API token for a user (shown once; stored hashed)."""
    from expo.core.services.users import find_by_email, issue_token

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    token = issue_token(user, SYSTEM, days=days, label=(label or "")[:100] or None)
    db.commit()
    click.echo(token)


@users_group.command("tokens")
@click.argument("email")
@with_appcontext
def users_tokens(email):
    """List a user's API tokens: id, label, created, expires, state."""
    from expo.core import clock
    from expo.core.services.users import find_by_email, tokens_of

    user = find_by_email(email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    rows = tokens_of(user)
    if not rows:
        click.echo("no tokens")
    for token in rows:
        state = (f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else
                 "expired" if not token.works_at(clock.now()) else "active")
        expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
        click.echo(f"{token.id:<6} {token.label or '-':<20} created {token.created_at:%Y-%m-%d}  "
                   f"expires {expires:<10}  {state}")


@users_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def users_revoke(token_id):
    """Revoke an API token by its id (see `expo users tokens`); it stops working at once."""
    from expo.core.models import ApiToken
    from expo.core.services.users import revoke_token

    token = db.session().get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None:
        raise click.ClickException(f"no token {token_id}")
    revoke_token(token, SYSTEM)
    db.commit()
    click.echo(f"revoked token {token.id} of {token.user.email}")


@click.command("demo-data")
@click.option("--scale", type=click.Choice(["small", "large"]), default="small")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@with_appcontext
def demo_data(scale, if_empty):
    """Fill the database with a believable firm."""
    from expo.core.demo import DEMO_PASSWORD, has_users, load

    if if_empty and has_users():
        click.echo("database not empty: demo data skipped")
        return
    try:
        summary = load(scale)
    except ExpoError as problem:  # e.g. the large firm is bulk-loaded into an empty database only
        raise click.ClickException(str(problem.message)) from None
    click.echo(f"demo data: {summary}; log in as admin@demo-expo.ru / {DEMO_PASSWORD}")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@click.option("--with-scheduler", is_flag=True, help="Also run the recurring jobs (in a child process).")
@with_appcontext
def worker(burst, with_scheduler):
    """Run an RQ worker for the queue at EXPO_REDIS_URL."""
    from redis import Redis
    from rq import Worker

    from expo.core import jobs

    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("EXPO_REDIS_URL is not set: jobs run in-process, no worker is needed")
    jobs.use_app_for_jobs(current_app._get_current_object())  # built once; each job's fork inherits it
    state = jobs.drain_outbox()  # what waited while no worker (or no Redis) was there
    db.commit()
    if state["waiting"] or state["failed"]:
        click.echo(f"outbox: {state['waiting']} waiting, {state['failed']} failed")
    if with_scheduler:
        from expo.core import schedule

        schedule.start_in_child_process(url)
    Worker([jobs.QUEUE_NAME], connection=Redis.from_url(url)).work(burst=burst)


@click.group("tasks")
def tasks_group():
    """Deadlines and escalations."""


@tasks_group.command("check")
@with_appcontext
def tasks_check():
    """Escalate missed hard deadlines and flag stalled engagements once (the scheduled job)."""
    from expo.core.services.tasks import run_deadline_checks

    result = run_deadline_checks()
    db.commit()
    click.echo(f"escalated: {result['escalated']}, stalled: {result['stalled']}")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run the recurring jobs on RQ's cron scheduler (needs EXPO_REDIS_URL)."""
    from expo.core import schedule

    url = current_app.config["REDIS_URL"]
    if not url:
        raise click.ClickException("EXPO_REDIS_URL is not set: run the recurring jobs from the system's cron "
                                   "instead (`expo jobs list` prints the crontab lines)")
    schedule.run_forever(url)


@click.group("jobs")
def jobs_group():
    """The job outbox, and the recurring jobs (for the system's cron when there is no Redis)."""


@jobs_group.command("list")
@with_appcontext
def jobs_list():
    """The recurring jobs (the core's and the enabled plugins'), as crontab lines that run them here."""
    import shlex
    import sys
    from pathlib import Path

    from expo.core import schedule

    expo = shlex.quote(str(Path(sys.argv[0]).resolve()))
    here = shlex.quote(str(Path.cwd()))
    for job in schedule.all_jobs():
        click.echo(f"{job.cron:<14} cd {here} && {expo} jobs run {job.key}    # {job.func}")


@jobs_group.command("run")
@click.argument("names", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every recurring job (e.g. once after loading data).")
@with_appcontext
def jobs_run(names, every):
    """Run recurring jobs by name (see `expo jobs list`) once, here, now; each is safe to repeat."""
    from expo.core import jobs, schedule

    by_name = {job.key: job for job in schedule.all_jobs()}
    if every:
        names = tuple(by_name)
    if not names:
        raise click.UsageError("name a job (see `expo jobs list`), or give --all")
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise click.ClickException(f"no recurring job {', '.join(unknown)}; known: {', '.join(sorted(by_name))}")
    for name in names:
        result = jobs.run_job(by_name[name].func, {})
        click.echo(f"{name}: {result if result is not None else 'done'}")


@jobs_group.command("drain")
@with_appcontext
def jobs_drain():
    """Hand over the jobs waiting in the outbox (run them here without Redis); prints what is left."""
    from expo.core import jobs

    state = jobs.drain_outbox()
    db.commit()
    click.echo(f"waiting: {state['waiting']}, failed: {state['failed']}")


@click.group("reports")
def reports_group():
    """Scheduled report mailings."""


@reports_group.command("send")
@click.argument("subscription_id", type=int)
@with_appcontext
def reports_send(subscription_id):
    """Send one subscription's report now (through the job queue, or in-process without Redis)."""
    from expo.core.errors import NotFound
    from expo.core.reports.subscriptions import get_subscription, send_now

    try:
        occurrence = send_now(get_subscription(subscription_id), SYSTEM)
    except NotFound:
        raise click.ClickException(f"no subscription {subscription_id}") from None
    db.commit()
    click.echo(f"queued: {occurrence}")


@reports_group.command("due")
@with_appcontext
def reports_due():
    """Queue the deliveries that are due now (what the scheduler runs every 5 minutes)."""
    from expo.core.reports.subscriptions import run_due_subscriptions

    queued = run_due_subscriptions()
    db.commit()
    click.echo(f"queued: {queued}")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path):
    """Write a consistent copy of the database to PATH while Expo runs (SQLite backup API, or pg_dump)."""
    from expo.core.backup import BackupError, backup

    try:
        backup(current_app.config["DATABASE_URL"], path)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"backed up to {path}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database's contents.")
@with_appcontext
def restore_command(path, yes):
    """Replace the database's contents with the backup at PATH (stop web and worker processes first)."""
    from expo.core.backup import BackupError, restore

    if not yes:
        click.confirm("This replaces everything in the database with the backup. Go on?", abort=True)
    db.session().close()
    db.engine().dispose()  # no pooled connection may hold the tables the restore replaces
    try:
        restore(current_app.config["DATABASE_URL"], path)
    except BackupError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"restored from {path}; run `expo db upgrade` if the backup is from an older version")


@click.group("plugins")
def plugins_group():
    """Installed plugins."""


@plugins_group.command("list")
@with_appcontext
def plugins_list():
    """Show installed plugins, their versions and whether they are enabled."""
    rows = plugin_list(current_app.extensions["expo.plugins"])
    if not rows:
        click.echo("no plugins installed")
    for info in rows:
        state = "enabled" if info.enabled else "disabled"
        click.echo(f"{info.name:<12} {info.version:<10} {state:<9} {info.distribution}")


def register_commands(app: Flask) -> None:
    for command in (db_group, users_group, demo_data, worker, scheduler, tasks_group, reports_group, jobs_group,
                    backup_command, restore_command, plugins_group):
        app.cli.add_command(command)
    app.extensions["expo.plugins"].hook.register_commands(cli=app.cli)


def main() -> None:
    try:
        cli.main()
    except ConfigError as problem:
        click.echo(f"Error: {problem}", err=True)
        sys.exit(2)
