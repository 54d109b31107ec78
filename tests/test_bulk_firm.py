"""The bulk firm generator (bench/make_firm.py, demo-data --scale large): is what it writes consistent?

A small firm is generated on each database and checked the way the analytics read it: results
denormalised on the step log, one open step per open engagement, real outcome keys, tasks on the
current step, categories from won contracts, unique valid tax ids; the schema is left as it was.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select, text

from expo.core import db
from expo.core.bulk import FirmSize, load_firm, names
from expo.core.errors import Conflict
from expo.core.models import (Activity, Client, Contact, Engagement, Exhibition, ScenarioAction, ScenarioOutcome,
                              ScenarioResult, ScenarioStep, StepLog, Task, User)
from expo.core.services import clients as client_service
from expo.core.services.users import check_password

TODAY = date(2026, 6, 15)  # fixed, so the firm is the same whenever the test runs
SIZE = FirmSize(clients=30, engagements_per_client=2, managers=5)
MOSCOW = ZoneInfo("Europe/Moscow")


def _schema(engine) -> set:
    inspector = inspect(engine)
    found = set()
    for table in ("clients", "contacts", "engagements", "step_log", "tasks", "activities"):
        found |= {("index", table, i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(table)}
        found |= {("fk", table, fk["name"], tuple(fk["constrained_columns"])) for fk in inspector.get_foreign_keys(table)}
        found |= {("unique", table, u["name"]) for u in inspector.get_unique_constraints(table)}
    return found


@pytest.fixture
def firm(app):
    """A generated firm: (counts, app); the schema is checked to come back whole."""
    engine = app.extensions["expo.engine"]
    before = _schema(engine)
    with app.app_context():
        counts = load_firm(SIZE, "secret-pass", seed=11, today=TODAY)
    assert _schema(engine) == before
    return counts


def _rows(statement):
    return db.session().execute(statement).all()


def test_counts_staff_and_passwords(app, firm):
    with app.app_context():
        session = db.session()
        assert firm["clients"] == session.scalar(select(func.count(Client.id))) == 30
        for table, model in (("engagements", Engagement), ("step_log", StepLog), ("tasks", Task),
                             ("activities", Activity), ("contacts", Contact)):
            assert firm[table] == session.scalar(select(func.count(model.id))) > 0, table
        roles = Counter(session.scalars(select(User.role)))
        assert roles == {"admin": 1, "planner": 2, "viewer": 1, "manager": 5}
        admin = session.scalar(select(User).where(User.role == "admin"))
        assert check_password(admin, "secret-pass") and admin.permissions == {"clients.export", "clients.delete"}
        # a manager carries clients unevenly: the senior one has the most
        loads = Counter(session.scalars(select(Client.manager_id).where(Client.manager_id.is_not(None))))
        assert max(loads.values()) > 1.5 * min(loads.values())
        shows = session.scalars(select(Exhibition.starts_on)).all()
        assert min(shows) < TODAY - timedelta(days=300) and max(shows) > TODAY + timedelta(days=200)
        with pytest.raises(Conflict):  # only into an empty database
            load_firm(SIZE, "secret-pass", today=TODAY)


def test_the_exhibitions_counts_are_rebuilt_after_the_load(app, firm):
    from expo.core.models import EngagementCount

    with app.app_context():
        session = db.session()
        kept = {(e, m, s): c for e, m, s, c in session.execute(
            select(EngagementCount.exhibition_id, EngagementCount.manager_id, EngagementCount.state,
                   EngagementCount.count))}
        counted = {(e, m or 0, s): c for e, m, s, c in session.execute(
            select(Engagement.exhibition_id, Engagement.manager_id, Engagement.state, func.count())
            .group_by(Engagement.exhibition_id, Engagement.manager_id, Engagement.state))}
        assert kept == counted and sum(kept.values()) == firm["engagements"]


def test_step_log_agrees_with_engagements_and_the_scenario(app, firm):
    with app.app_context():
        engagements = {e.id: e for e in db.session().scalars(select(Engagement))}
        logs = defaultdict(list)
        for log in db.session().scalars(select(StepLog).order_by(StepLog.id)):
            logs[log.engagement_id].append(log)
        outcomes = {(step, key): (next_step, result) for step, key, next_step, result in _rows(
            select(ScenarioStep.key, ScenarioOutcome.key, ScenarioOutcome.next_step, ScenarioOutcome.result)
            .join(ScenarioOutcome, ScenarioOutcome.step_id == ScenarioStep.id))}
        results = {r.key: r for r in db.session().scalars(select(ScenarioResult))}
        assert set(logs) == set(engagements)
        seen_results = set()
        for engagement_id, rows in logs.items():
            engagement = engagements[engagement_id]
            result = results.get(engagement.result)
            assert rows[0].step == "contact" and rows[0].entered_at == engagement.opened_at
            for row, following in zip(rows, rows[1:]):  # each left row leads to the next one
                assert outcomes[(row.step, row.outcome)][0] == following.step
                assert row.left_at == following.entered_at and row.entered_at <= row.left_at
            for row in rows:  # denormalised: what the funnel reads
                assert (row.scenario_id, row.exhibition_id, row.manager_id) == (
                    engagement.scenario_id, engagement.exhibition_id, engagement.manager_id)
                assert (row.result, row.result_kind, row.result_reason) == (
                    (result.key, result.kind, result.reason) if result else (None, None, None))
            open_rows = [row for row in rows if row.left_at is None]
            if engagement.state == "open":
                assert [row.step for row in open_rows] == [engagement.step] and rows[-1].outcome is None
                assert engagement.closed_at is None and engagement.contract_amount is None
            else:
                assert open_rows == [] and engagement.step is None and result.kind == engagement.state
                assert outcomes[(rows[-1].step, rows[-1].outcome)][1] == engagement.result
                assert rows[-1].left_at == engagement.closed_at
                assert (engagement.contract_amount is not None) == (engagement.state == "won")
                seen_results.add(engagement.result)
        # branching: refusals at several steps with their reasons, the firm declining, contracts
        assert {results[key].kind for key in seen_results} == {"won", "lost", "declined"}
        assert len({results[key].reason for key in seen_results} - {None}) >= 3


def test_tasks_follow_the_steps_actions(app, firm):
    with app.app_context():
        actions = Counter(_rows(select(ScenarioStep.key).join(ScenarioAction, ScenarioAction.step_id == ScenarioStep.id)))
        logs = {log.id: log for log in db.session().scalars(select(StepLog))}
        engagements = {e.id: e for e in db.session().scalars(select(Engagement))}
        per_log = Counter()
        for task in db.session().scalars(select(Task)):
            log = logs[task.step_log_id]
            engagement = engagements[task.engagement_id]
            per_log[log.id] += 1
            assert log.engagement_id == engagement.id and task.client_id == engagement.client_id
            assert task.assignee_id == engagement.manager_id and task.created_at == log.entered_at
            assert task.due_on >= log.entered_at.astimezone(MOSCOW).date()
            assert not (task.done_at and task.cancelled_at)
            if task.is_open:  # open tasks are those of an open engagement's current step
                assert engagement.state == "open" and log.left_at is None and log.step == engagement.step
            if task.cancelled_at is not None:  # cancelled when the step was left
                assert task.cancelled_at == log.left_at
            if task.escalated_at is not None:
                assert task.hard_deadline and task.escalated_at.astimezone(MOSCOW).date() > task.due_on
        assert all(per_log[log.id] == actions[(log.step,)] for log in logs.values())
        tasks = db.session().scalars(select(Task)).all()
        assert any(t.is_open for t in tasks) and any(t.done_at for t in tasks) and any(t.cancelled_at for t in tasks)


def test_clients_contacts_and_activities_are_believable(app, firm):
    with app.app_context():
        clients = db.session().scalars(select(Client)).all()
        tax_ids = [c.tax_id for c in clients]
        assert len(set(tax_ids)) == len(tax_ids)
        for client in clients:
            assert client.region and client.industry and client.channel and client.phone and client.email
            assert client.name_search == client.name.casefold()
            assert len(client.tax_id) == (12 if client.name.startswith("ИП ") else 10) and _valid_inn(client.tax_id)
            assert client.name.startswith("ИП ") or "«" in client.name
            assert 1 <= len(client.contacts) <= 3
        won = defaultdict(list)  # client -> ends of the exhibitions it won contracts for
        for client_id, ends_on in _rows(select(Engagement.client_id, Exhibition.ends_on).join(Exhibition)
                                        .where(Engagement.state == "won")):
            won[client_id].append(ends_on)
        for client in clients:
            expected = ("potential" if not won[client.id] else
                        "active" if max(won[client.id]) >= TODAY - timedelta(days=365) else "lost")
            assert client.category == expected, client.id
        assert {c.category for c in clients} >= {"active", "potential"}
        for contact in db.session().scalars(select(Contact)):
            surname, first, patronymic = contact.name.split()
            female = patronymic.endswith("на")  # the patronymic tells, the first name and surname must agree
            assert first in (names.FEMALE_FIRST if female else names.MALE_FIRST), contact.name
            assert surname in {pair[female] for pair in names.SURNAMES}, contact.name
        opened = dict(_rows(select(Engagement.id, Engagement.opened_at)))
        activities = db.session().scalars(select(Activity)).all()
        assert {a.kind for a in activities} >= {"call", "email", "note"}
        for activity in activities:
            local = activity.occurred_at.astimezone(MOSCOW)
            assert local.weekday() < 5 and 9 <= local.hour < 22, activity.occurred_at
            if activity.engagement_id is not None:
                assert activity.occurred_at >= opened[activity.engagement_id]
        assert all(a.occurred_at.date() < TODAY for a in activities)


def test_the_database_goes_on_working_after_a_load(app, firm):
    with app.app_context():
        planner = db.session().scalar(select(User).where(User.role == "planner"))
        client = client_service.create_client({"name": "ООО «После загрузки»", "tax_id": "7700000000"}, planner)
        db.commit()
        assert client.id == firm["clients"] + 1  # the id sequences were moved past the loaded rows
        if db.engine().dialect.name == "postgresql":  # the foreign keys are in force again
            with pytest.raises(Exception, match="foreign key"):
                db.session().execute(text("INSERT INTO tasks (title, due_on, hard_deadline, engagement_id, created_at)"
                                          " VALUES ('x', '2026-01-01', false, 999999, now())"))
            db.session().rollback()


def test_foreign_keys_hold_after_a_load_without_superuser_rights(app, monkeypatch):
    """PostgreSQL then drops the foreign keys for the load and adds them back (SQLite never drops them)."""
    from expo.core.bulk import sinks

    monkeypatch.setattr(sinks, "_skip_key_checks", lambda cursor: False)
    engine = app.extensions["expo.engine"]
    before = _schema(engine)
    with app.app_context():
        load_firm(FirmSize(clients=5, engagements_per_client=2, managers=2), "secret-pass", today=TODAY)
    assert _schema(engine) == before
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":  # added back validated: every loaded row was checked
            assert connection.execute(text("SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
                                           " AND NOT convalidated")).scalar() == 0
        with pytest.raises(Exception, match="(?i)foreign key"):
            connection.execute(text("INSERT INTO step_log (engagement_id, scenario_id, exhibition_id, step, entered_at)"
                                    " VALUES (999999, 1, 1, 'contact', '2026-01-01 10:00:00')"))


def test_demo_data_large_uses_the_generator(app, runner, monkeypatch):
    from expo.core import demo

    monkeypatch.setattr(demo, "LARGE", FirmSize(clients=12, engagements_per_client=2, managers=3))
    result = runner.invoke(args=["demo-data", "--scale", "large"])
    assert result.exit_code == 0, result.output
    assert "12 clients" in result.output and "admin@demo-expo.ru / demo" in result.output
    again = runner.invoke(args=["demo-data", "--scale", "large"])
    assert again.exit_code != 0 and "empty" in again.output
    assert "skipped" in runner.invoke(args=["demo-data", "--scale", "large", "--if-empty"]).output


def _valid_inn(value: str) -> bool:
    def check(digits, weights):
        return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)

    if len(value) == 10:
        return value[9] == check(value, (2, 4, 10, 3, 5, 9, 4, 6, 8))
    return (value[10] == check(value, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
            and value[11] == check(value, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)))


def test_workers_make_the_same_firm_as_one_process(app, monkeypatch):
    """Batches made in parallel are numbered in order: ids and rows as a sequential load gives them."""
    from expo.core.bulk import clients as batch_module
    from expo.testing import empty_all_tables as _empty_all_tables

    monkeypatch.setattr(batch_module, "BATCH", 7)  # 30 clients: 5 batches, so workers really share them
    tables = (Client, Contact, Engagement, StepLog, Task, Activity)

    def firm_made_by(workers):
        with app.app_context():
            load_firm(SIZE, "secret-pass", seed=5, today=TODAY, workers=workers)
            made = {model.__tablename__: [tuple(row) for row in db.session().execute(
                select(*model.__table__.columns).order_by(model.id))] for model in tables}
        _empty_all_tables(app.extensions["expo.engine"])
        return made

    parallel, sequential = firm_made_by(2), firm_made_by(1)
    assert parallel == sequential
    assert [row[0] for row in parallel["step_log"]] == list(range(1, len(parallel["step_log"]) + 1))
