"""Report periods (``YYYY-MM``) and the firm's time zone."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from expo.core import validation as v


def firm_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def parse_period(value) -> str:
    return v.clean({"period": v.period(required=True)}, {"period": value})["period"]


def bounds(period: str) -> tuple[datetime, datetime]:
    """The month as [start, end) in UTC, its edges at midnight in the firm's time zone."""
    year, month = int(period[:4]), int(period[5:])
    zone = firm_zone()
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def month_days(period: str) -> tuple[date, date]:
    year, month = int(period[:4]), int(period[5:])
    return date(year, month, 1), date(year + (month == 12), month % 12 + 1, 1)


def period_of(moment: datetime) -> str:
    local = moment.astimezone(firm_zone())
    return f"{local.year:04d}-{local.month:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
