"""Which engagements a funnel counts: one scenario (all its versions, or one), narrowed by
exhibition, period of opening, manager and the client's region, industry and channel.

Read from a page's or the API's query string by :meth:`Selection.from_args`, which refuses what
it cannot honour (an unknown id, a version of another scenario, a malformed or reversed period)
with a :class:`ValidationError` naming the field — a form message on the page, a 422 in the API.
A manager's selection is always their own engagements, whatever the query says.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.hooks import NotFound, ValidationError, db_session, fields, models

CLIENT_FIELDS = ("region", "industry", "channel")
ARGS = ("scenario_id", "version_id", "exhibition_id", "manager_id", "period_from", "period_to", *CLIENT_FIELDS)


@dataclass(frozen=True)
class Known:
    """What a page read for its filter form already — every scenario version (rows of ``id, name,
    lineage_id, version, is_current, is_default``), the exhibitions' and the listed managers' ids —
    so that reading a selection asks the database nothing more."""
    scenarios: list
    exhibition_ids: frozenset[int]
    manager_ids: frozenset[int]


@dataclass(frozen=True)
class Selection:
    scenario: Any  # the lineage's newest version (a row: id, name, lineage_id, version); None: no scenario yet
    version_ids: tuple[int, ...]  # the versions counted
    version_id: int | None = None  # one version asked for
    exhibition_id: int | None = None
    manager_id: int | None = None
    period_from: date | None = None
    period_to: date | None = None
    region: str | None = None
    industry: str | None = None
    channel: str | None = None
    client_condition: object = None  # a report's client filters (a condition on Client), never from a URL

    @classmethod
    def from_args(cls, args: Mapping[str, str], user, known: Known | None = None) -> "Selection":
        errors: dict[str, str] = {}
        values = {key: (args.get(key) or "").strip() for key in ARGS}
        ids = {}
        for key in ("scenario_id", "version_id", "exhibition_id", "manager_id"):
            if values[key]:
                ids[key] = fields.parse_id(values[key])
                if ids[key] is None:
                    errors[key] = str(_l("Must be a whole number."))
        dates = {}
        for key in ("period_from", "period_to"):
            if values[key]:
                dates[key] = fields.parse_date(values[key])
                if dates[key] is None:
                    errors[key] = str(_l("Enter a date as YYYY-MM-DD."))
        if dates.get("period_from") and dates.get("period_to") and dates["period_to"] < dates["period_from"]:
            errors["period_to"] = str(_l("The period cannot end before it starts."))
        versions = _lineage(ids.get("scenario_id"), errors, known)
        scenario = versions[0] if versions else None
        version_id = ids.get("version_id")
        if version_id is not None and "scenario_id" not in errors and version_id not in {v.id for v in versions}:
            errors["version_id"] = str(_l("This version belongs to another scenario."))
        exhibition_id = ids.get("exhibition_id")
        if exhibition_id and (exhibition_id not in known.exhibition_ids if known is not None
                              else db_session().get(models.Exhibition, exhibition_id) is None):
            errors["exhibition_id"] = str(_l("No such exhibition."))
        manager_id = ids.get("manager_id")
        if not user.sees_all_clients and manager_id not in (None, user.id):
            raise NotFound()  # before any look-up: a manager cannot learn which user ids exist
        if manager_id is not None and not (known is not None and manager_id in known.manager_ids) \
                and db_session().get(models.User, manager_id) is None:  # (not listed: a former manager)
            errors["manager_id"] = str(_l("No such user."))
        if errors:
            raise ValidationError(fields=errors)
        if not user.sees_all_clients:  # a manager's numbers are their own engagements only
            manager_id = user.id
        return cls(scenario=scenario, version_ids=(version_id,) if version_id else tuple(v.id for v in versions),
                   version_id=version_id, exhibition_id=ids.get("exhibition_id"), manager_id=manager_id,
                   period_from=dates.get("period_from"), period_to=dates.get("period_to"),
                   **{key: values[key] or None for key in CLIENT_FIELDS})

    def but(self, **changes) -> "Selection":
        """The same selection with some filters changed (a manager's row, this month's widget)."""
        return replace(self, **changes)

    @property
    def narrows_engagements(self) -> bool:
        """Whether a filter needs the engagement or its client (the step log alone does not say)."""
        return bool(self.period_from or self.period_to or self.client_condition is not None
                    or any(getattr(self, key) for key in CLIENT_FIELDS))

    def opened_between(self) -> tuple[datetime | None, datetime | None]:
        """The period as [start, end) instants in UTC, its edges at the firm's midnight."""
        zone = ZoneInfo(current_app.config["TIMEZONE"])

        def instant(day: date | None) -> datetime | None:
            return datetime.combine(day, time(), zone).astimezone(timezone.utc) if day else None

        return instant(self.period_from), instant(self.period_to + timedelta(days=1) if self.period_to else None)

    def as_args(self) -> dict[str, str]:
        """The query string that makes this selection again (links, CSV, drill-downs)."""
        found = {"scenario_id": self.scenario.id if self.scenario else None, "version_id": self.version_id, "exhibition_id": self.exhibition_id,
                 "manager_id": self.manager_id, "period_from": self.period_from, "period_to": self.period_to,
                 **{key: getattr(self, key) for key in CLIENT_FIELDS}}
        return {key: str(value) for key, value in found.items() if value}


def _lineage(scenario_id: int | None, errors: dict, known: Known | None = None) -> list:
    """Every version (rows of ``id, name, lineage_id, version, …``) of the lineage ``scenario_id``
    (any version's id) belongs to, or of the default scenario, newest first — from ``known``, else
    in one statement; empty for a new firm (an empty funnel, not an error) or an unknown id (an
    error)."""
    if known is not None:
        found = _lineage_of(scenario_id, known.scenarios)
    else:
        Scenario = models.Scenario
        if scenario_id is not None:
            lineage = select(func.coalesce(Scenario.lineage_id, Scenario.id)).where(Scenario.id == scenario_id)
        else:  # the default scenario (its newest version carries the flag), else the oldest current one
            lineage = select(Scenario.lineage_id).where(Scenario.is_current) \
                .order_by(Scenario.is_default.desc(), Scenario.id).limit(1)
        found = list(db_session().execute(
            select(Scenario.id, Scenario.name, Scenario.lineage_id, Scenario.version, Scenario.is_current)
            .where(Scenario.lineage_id == lineage.scalar_subquery()).order_by(Scenario.version.desc())))
    if scenario_id is not None and not found:
        errors["scenario_id"] = str(_l("No such scenario."))
    return found


def _lineage_of(scenario_id: int | None, scenarios: list) -> list:
    """``_lineage``'s statement, answered from every version's row."""
    if scenario_id is not None:
        chosen = next((row for row in scenarios if row.id == scenario_id), None)
        lineage = (chosen.lineage_id or chosen.id) if chosen is not None else None
    else:
        current = sorted((row for row in scenarios if row.is_current), key=lambda row: (not row.is_default, row.id))
        lineage = current[0].lineage_id if current else None
    return sorted((row for row in scenarios if lineage is not None and row.lineage_id == lineage),
                  key=lambda row: row.version, reverse=True)
