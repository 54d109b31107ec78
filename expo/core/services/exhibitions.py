"""Exhibitions the firm sells for (planners and admins maintain them)."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from expo.core import access, db, validation as v
from expo.core.access import Actor
from expo.core.models import Exhibition
from expo.core.services import apply_changes, audit

EXHIBITION_FIELDS = {
    "name": v.text(200, required=True),
    "venue": v.text(200),
    "starts_on": v.iso_date(required=True),
    "ends_on": v.iso_date(required=True),
    "sales_start_on": v.iso_date(),
    "sales_end_on": v.iso_date(),
}


def _date_order(current: Mapping[str, Any]):
    """A cross-field check for ``clean``: each end on or after its start (``current`` fills gaps on PATCH)."""

    def check(values: Mapping[str, Any]) -> dict:
        merged = {**current, **values}
        errors = {}
        for start, end in (("starts_on", "ends_on"), ("sales_start_on", "sales_end_on")):
            if merged.get(start) and merged.get(end) and merged[end] < merged[start]:
                errors[end] = str(_l("The end cannot be before the start."))
        return errors

    return check


def create_exhibition(data: Mapping[str, Any], user: Actor) -> Exhibition:
    access.require_assign(user)
    values = v.clean(EXHIBITION_FIELDS, data, check=_date_order({}))
    exhibition = Exhibition(**values)
    session = db.session()
    session.add(exhibition)
    session.flush()
    audit.record("create", "exhibition", exhibition.id, user, name=exhibition.name)
    return exhibition


def update_exhibition(exhibition: Exhibition, data: Mapping[str, Any], user: Actor) -> dict:
    access.require_assign(user)
    current = {key: getattr(exhibition, key) for key in EXHIBITION_FIELDS}
    values = v.clean(EXHIBITION_FIELDS, data, partial=True, check=_date_order(current))
    changes = apply_changes(exhibition, values)
    if changes:
        db.session().flush()
        audit.record("update", "exhibition", exhibition.id, user, changes=changes)
    return changes
