"""Exhibitions the firm sells for (planners and admins maintain them)."""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l

from expo.core import access, db, validation as v
from expo.core.errors import ValidationError
from expo.core.models import Exhibition, User
from expo.core.services import audit

EXHIBITION_FIELDS = {
    "name": v.text(200, required=True),
    "venue": v.text(200),
    "starts_on": v.iso_date(required=True),
    "ends_on": v.iso_date(required=True),
    "sales_start_on": v.iso_date(),
    "sales_end_on": v.iso_date(),
}


def _check_dates(values: Mapping[str, Any]) -> None:
    errors = {}
    if values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = str(_l("The end cannot be before the start."))
    start, end = values.get("sales_start_on"), values.get("sales_end_on")
    if start and end and end < start:
        errors["sales_end_on"] = str(_l("The end cannot be before the start."))
    if errors:
        raise ValidationError(fields=errors)


def create_exhibition(data: Mapping[str, Any], user: User | None) -> Exhibition:
    access.require_assign(user)
    values = v.clean(EXHIBITION_FIELDS, data)
    _check_dates(values)
    exhibition = Exhibition(**values)
    session = db.session()
    session.add(exhibition)
    session.flush()
    audit.record("create", "exhibition", exhibition.id, user, name=exhibition.name)
    return exhibition


def update_exhibition(exhibition: Exhibition, data: Mapping[str, Any], user: User | None) -> dict:
    access.require_assign(user)
    values = v.clean(EXHIBITION_FIELDS, data, partial=True)
    merged = {key: values.get(key, getattr(exhibition, key)) for key in EXHIBITION_FIELDS}
    _check_dates(merged)
    changes = {k: (getattr(exhibition, k), val) for k, val in values.items() if getattr(exhibition, k) != val}
    for key, (_old, new) in changes.items():
        setattr(exhibition, key, new)
    if changes:
        db.session().flush()
        audit.record("update", "exhibition", exhibition.id, user, changes=changes)
    return changes
