"""What pages read, through expo/core/queries: the start page's counts, the card's exhibition choice,
the names on the engagement page."""
from __future__ import annotations

from datetime import date, datetime, timezone

from expo.core import db
from expo.core.models import Task, User
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario, walk


def test_overdue_counts_open_tasks_before_the_firms_today(app, make_user, login_as, frozen_clock):
    manager, planner = make_user("manager"), make_user("planner")
    # 22:30 UTC on 2 March is already 3 March in Moscow (EXPO_TIMEZONE's default)
    frozen_clock.set(datetime(2026, 3, 2, 22, 30, tzinfo=timezone.utc))
    with app.app_context():
        planner = db.session().get(User, planner.id)
        client = new_client(planner, manager_id=manager.id)
        for title, due, cancelled in (("due 1 March", date(2026, 3, 1), False), ("due 2 March", date(2026, 3, 2), False),
                                      ("due 3 March", date(2026, 3, 3), False), ("cancelled", date(2026, 2, 1), True)):
            db.session().add(Task(assignee_id=manager.id, client_id=client.id, title=title, due_on=due,
                                  cancelled_at=frozen_clock.at if cancelled else None))
        db.commit()
    html = login_as(manager).get("/").get_data(as_text=True)
    # 1 and 2 March are overdue in the firm's day; 3 March is today; the cancelled one is no one's work
    assert "<strong>2</strong> overdue tasks" in html


def test_the_card_offers_only_exhibitions_not_over_and_not_taken(app, planner, client, frozen_clock):
    frozen_clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=timezone.utc))
    with app.app_context():
        planner = db.session().get(User, planner.id)
        firm_client = new_client(planner)
        new_exhibition(planner, name="Прошедшая", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 4))
        taken = new_exhibition(planner, name="Уже в работе", starts_on=date(2026, 9, 1), ends_on=date(2026, 9, 4))
        new_exhibition(planner, name="Будущая", starts_on=date(2026, 10, 1), ends_on=date(2026, 10, 4))
        new_engagement(planner, firm_client, taken)
    html = client.get(f"/clients/{firm_client.id}").get_data(as_text=True)
    select = html[html.index('name="exhibition_id"'):]
    select = select[:select.index("</select>")]
    assert "Будущая" in select and "Прошедшая" not in select and "Уже в работе" not in select


def test_the_engagement_page_names_only_the_people_in_its_log(app, make_user, login_as):
    planner = make_user("planner", name="Пётр Планов")
    make_user("manager", name="Посторонний Человек")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        new_scenario(planner)
        engagement = walk(new_engagement(planner, new_client(planner), new_exhibition(planner)), planner, "interested")
    with app.app_context():
        from expo.core.queries.engagements import engagement_details

        details = engagement_details(db.session().merge(engagement), 10)
    named = {row.entered_by for row in details.steps_log} | {row.left_by for row in details.steps_log}
    assert named - {None} == {"Пётр Планов"}
    assert [row.step for row in details.steps_log] == ["contact", "presentation"]  # oldest first
    assert "Пётр Планов" in login_as(planner).get(f"/engagements/{engagement.id}").get_data(as_text=True)


def test_plain_rows_see_what_the_session_holds_unsaved(app, planner):
    """db.rows goes round the ORM's execute, not round its autoflush: a page re-rendered after a
    change in the same request lists the change."""
    from sqlalchemy import select

    from expo.core.models import Exhibition

    with app.app_context():
        planner = db.session().get(User, planner.id)
        exhibition = new_exhibition(planner, name="Выставка")
        exhibition.name = "Переименована"  # changed, not flushed
        db.session().add(Exhibition(name="Новая", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 3)))
        names = {row.name for row in db.rows(select(Exhibition.name))}
        assert names == {"Переименована", "Новая"}
        with db.session().no_autoflush:
            exhibition.name = "Ещё раз"
            assert {row.name for row in db.rows(select(Exhibition.name))} == names  # as the ORM's execute
        db.rollback()
