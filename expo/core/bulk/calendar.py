"""The firm's working calendar for generated history: moments in office hours, in the firm's zone.

Generated times are whole minutes counted from a local Monday (``EPOCH``): plain integers keep a
million engagements' arithmetic cheap, and day and weekday fall out of a division. They become
UTC datetimes (whole minutes) only when a row is built.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

EPOCH = date(2000, 1, 3)  # a Monday: day % 7 is the weekday
DAY = 1440  # minutes
OFFICE_OPENS, OFFICE_HOURS = 9 * 60, 10 * 60  # 9:00 to 19:00
_EPOCH_DATETIME = datetime(EPOCH.year, EPOCH.month, EPOCH.day, tzinfo=timezone.utc)
_MINUTES = [timedelta(minutes=m) for m in range(DAY)]


class WorkCalendar:
    """Days and minutes of the firm's local time; ``now`` is the start of ``today`` (nothing happened yet)."""

    def __init__(self, zone: ZoneInfo, today: date):
        self.zone = zone
        self.today = (today - EPOCH).days
        self.now = self.today * DAY
        self._midnights: dict[int, datetime] = {}  # day -> its local midnight in UTC
        self._dates: dict[int, date] = {}

    def day(self, when: date) -> int:
        return (when - EPOCH).days

    def date(self, day: int) -> date:
        found = self._dates.get(day)
        if found is None:
            found = self._dates[day] = EPOCH + timedelta(days=day)
        return found

    def moment(self, day: int, rng: random.Random) -> int:
        """A minute in office hours on ``day``, or on the Friday before a weekend day (never later: no future)."""
        weekday = day % 7
        if weekday >= 5:
            day -= weekday - 4
        return day * DAY + OFFICE_OPENS + int(rng.random() * OFFICE_HOURS)

    def between(self, start: int, end: int, rng: random.Random) -> int:
        """A moment strictly between two minutes, in office hours when the gap spans a working day."""
        if end - start > 1:
            candidate = self.moment(start // DAY + int(rng.random() * (end // DAY - start // DAY + 1)), rng)
            if start < candidate < end:
                return candidate
            return start + 1 + int(rng.random() * min(end - start - 1, 90))
        return start  # no room: the same minute (the core can write two rows within a second too)

    def utc(self, minute: int) -> datetime:
        """The UTC datetime of a local minute (the hottest call of a load: two lookups and an add)."""
        day, rest = divmod(minute, DAY)
        start = self._midnights.get(day)
        if start is None:
            local = datetime.combine(self.date(day), time(12), tzinfo=self.zone)
            offset = int(local.utcoffset().total_seconds()) // 60
            start = self._midnights[day] = _EPOCH_DATETIME + timedelta(minutes=day * DAY - offset)
        return start + _MINUTES[rest]
