"""The demo firm looks like a real one: working hours in the firm's time zone, names that agree in
gender, activities after their engagement opened, every step and result populated, a manager's day."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from expo.core import clock, db, demo
from expo.core.models import Activity, Contact, Engagement, Scenario, Task, User


@pytest.fixture
def firm(app, monkeypatch):
    monkeypatch.setattr(demo, "SMALL", {"clients": 60, "managers": 2})
    with app.app_context():
        demo.load("small")
        yield db.session()


def test_activities_happen_in_working_hours_after_their_engagement_opened(app, firm):
    zone = ZoneInfo(app.config["TIMEZONE"])
    rows = firm.execute(select(Activity.occurred_at, Engagement.opened_at)
                        .join(Engagement, Engagement.id == Activity.engagement_id)).all()
    assert len(rows) > 50
    local = [occurred.astimezone(zone) for occurred, _ in rows]
    assert all(9 <= t.hour < 19 for t in local)
    assert len({(t.hour, t.minute) for t in local}) > 20  # not all at one time of day
    assert all(occurred > opened for occurred, opened in rows)
    opened = [o.astimezone(zone) for o in firm.scalars(select(Engagement.opened_at))]
    assert all(9 <= t.hour < 19 for t in opened) and len({t.date() for t in opened}) > 20


def _gender(word: str, male: tuple[str, ...], female: tuple[str, ...]) -> str:
    if word.endswith(female):
        return "f"
    assert word.endswith(male), word
    return "m"


def test_contact_names_agree_in_gender(firm):
    names = firm.scalars(select(Contact.name)).all()
    assert len(names) > 60
    for name in names:
        first, patronymic, surname = name.split()
        genders = {_gender(first, ("й", "л", "р", "с", "м", "д", "н"), ("а", "я")),
                   _gender(patronymic, ("ич",), ("на",)),
                   _gender(surname, ("ов", "ев", "ий"), ("ова", "ева", "ая"))}
        assert len(genders) == 1, name
    assert {name.split()[1][-2:] for name in names} == {"ич", "на"}  # both genders appear


def test_every_step_and_result_of_the_standard_scenario_has_a_few_engagements(firm):
    scenario = firm.scalar(select(Scenario).where(Scenario.is_default))
    at_steps = dict(firm.execute(select(Engagement.step, func.count()).where(Engagement.state == "open")
                                 .group_by(Engagement.step)).all())
    assert all(at_steps.get(step.key, 0) >= 3 for step in scenario.steps), at_steps
    results = dict(firm.execute(select(Engagement.result, func.count()).where(Engagement.state != "open")
                                .group_by(Engagement.result)).all())
    assert all(results.get(result.key, 0) >= 3 for result in scenario.results), results
    won = firm.execute(select(Engagement.contract_amount).where(Engagement.state == "won")).scalars().all()
    assert won and all(amount and amount > 0 for amount in won)


def test_the_demo_manager_has_tasks_due_today_and_overdue(firm):
    manager = firm.scalar(select(User).where(User.email == "manager1@demo-expo.ru"))
    due = firm.scalars(select(Task.due_on).where(Task.assignee_id == manager.id, Task.done_at.is_(None))).all()
    today = clock.today()
    assert sum(d == today for d in due) >= 2 and sum(d < today for d in due) >= 2
    assert any(today < d <= today + timedelta(days=7) for d in due)
