"""The current time, in one place, so tests can freeze it (monkeypatch ``now``)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """Today in the firm's time zone (EXPO_TIMEZONE): deadlines and "overdue" follow the office clock."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return now().date()
    return now().astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def firm_time(moment: datetime) -> datetime:
    """A stored moment (UTC; naive means UTC) on the firm's wall clock (``EXPO_TIMEZONE``)."""
    from flask import current_app

    aware = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
