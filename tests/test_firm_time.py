"""Times are stored in UTC and shown on the firm's clock (``EXPO_TIMEZONE``, default Europe/Moscow)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from expo.core import db
from expo.core.models import Activity, Client
from expo.testing import new_client

EVENING_UTC = datetime(2026, 3, 2, 20, 7, tzinfo=timezone.utc)  # 23:07 in Moscow, 15:07 in New York
LATE_UTC = datetime(2026, 3, 2, 22, 30, tzinfo=timezone.utc)  # already 3 March in Moscow


def _client_with_an_evening_call(app, planner):
    with app.app_context():
        client = new_client(planner, name="ООО «Часовой пояс»")
        session = db.session()
        session.add(Activity(client_id=client.id, author_id=planner.id, kind="call", occurred_at=EVENING_UTC,
                             text="Звонок вечером"))
        session.get(Client, client.id).created_at = LATE_UTC
        db.commit()
        return client.id


def test_the_client_card_shows_times_and_dates_on_the_firms_clock(app, client, planner):
    client_id = _client_with_an_evening_call(app, planner)
    html = client.get(f"/clients/{client_id}").get_data(as_text=True)
    assert "11:07" in html and "8:07" not in html  # the activity: 20:07 UTC is 23:07 in Moscow
    assert "Mar 3, 2026" in html  # the "created" date of a 22:30 UTC datetime is Moscow's date


def test_another_firm_zone_is_followed(app, make_app, planner, login_as):
    client_id = _client_with_an_evening_call(app, planner)
    new_york = make_app(TIMEZONE="America/New_York")
    html = login_as(planner, target=new_york).get(f"/clients/{client_id}").get_data(as_text=True)
    assert "3:07" in html and "11:07" not in html
    assert "Mar 2, 2026" in html and "Mar 3, 2026" not in html


def test_the_datetime_filter_outside_a_request_uses_the_zone(app):
    # PDFs and mails render in a job's app context, not a request
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ moment|datetime }}").render(moment=EVENING_UTC)
    assert "11:07" in rendered
