"""Field rules shared by forms and the JSON API.

A schema is a dict ``field -> Rule``; :func:`clean` checks every given field, collects *all*
problems and raises one :class:`ValidationError`, so a form or API client sees them at once.
Values may arrive as form strings or JSON values.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterable, Mapping

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from expo.core.errors import ValidationError

MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
_ID = re.compile(r"[0-9]{1,10}")
# Control characters (NUL above all: PostgreSQL refuses it) are never part of user text.
CONTROL_CHARACTERS = _CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Invalid(Exception):
    def __init__(self, message):
        self.message = message


@dataclass(frozen=True)
class Rule:
    convert: Callable[[Any], Any]
    required: bool = False
    nullable: bool = True  # False: may be left out (a default applies) but never set blank


def parse_id(value: Any) -> int | None:
    """A database id from a form, query or JSON value; None unless it is one (1 … 2³¹−1)."""
    if isinstance(value, bool):
        return None
    text_value = str(value).strip()
    if not _ID.fullmatch(text_value):
        return None
    number = int(text_value)
    return number if 1 <= number <= MAX_ID else None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(max_len: int, required: bool = False, multiline: bool = False) -> Rule:
    def convert(value):
        if not isinstance(value, str):
            raise Invalid(_l("Must be text."))
        value = value.strip()
        if _CONTROL.search(value):
            raise Invalid(_l("Contains control characters."))
        if len(value) > max_len:
            raise Invalid(_l("At most %(n)d characters.", n=max_len))
        if not multiline and ("\n" in value or "\r" in value):
            raise Invalid(_l("Must be a single line."))
        return value

    return Rule(convert, required)


def choice(options: Iterable[str], required: bool = False, nullable: bool = True) -> Rule:
    options = tuple(options)

    def convert(value):
        if value not in options:
            raise Invalid(_l("Must be one of: %(options)s.", options=", ".join(options)))
        return value

    return Rule(convert, required, nullable)


def email(required: bool = False) -> Rule:
    def convert(value):
        if not isinstance(value, str) or len(value) > 254:
            raise Invalid(_l("Not a valid e-mail address."))
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise Invalid(_l("Not a valid e-mail address.")) from None

    return Rule(convert, required)


def tax_id(required: bool = False) -> Rule:
    """Russian INN: 10 digits for a company, 12 for a sole trader."""

    def convert(value):
        value = str(value).strip()
        if not (value.isascii() and value.isdigit()) or len(value) not in (10, 12):
            raise Invalid(_l("A tax id has 10 or 12 digits."))
        return value

    return Rule(convert, required)


def iso_date(required: bool = False) -> Rule:
    def convert(value):
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid(_l("Not a date (YYYY-MM-DD).")) from None

    return Rule(convert, required)


def money(required: bool = False) -> Rule:
    def convert(value):
        if isinstance(value, bool) or isinstance(value, float):
            # Floats lose cents; the API takes money as a decimal string (or an integer).
            raise Invalid(_l("Give the amount as a decimal string, e.g. \"1500.00\"."))
        try:
            amount = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise Invalid(_l("Not an amount.")) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
            raise Invalid(_l("The amount must be between 0 and %(max)s.", max=MAX_MONEY))
        if amount != amount.quantize(Decimal("0.01")):
            raise Invalid(_l("At most two decimal places."))
        return amount.quantize(Decimal("0.01"))

    return Rule(convert, required)


def identifier(required: bool = False) -> Rule:
    """The id of another object (its existence is the service's to check)."""

    def convert(value):
        number = parse_id(value)
        if number is None:
            raise Invalid(_l("Must be an id (a whole number from 1 to %(max)d).", max=MAX_ID))
        return number

    return Rule(convert, required)


def url(max_len: int = 300) -> Rule:
    """A web address; ``example.ru`` is fine, any scheme but http(s) is not."""
    base = text(max_len)

    def convert(value):
        value = base.convert(value)
        scheme = value.split(":", 1)[0].lower() if "://" in value or value.lower().startswith(("javascript:", "data:")) else ""
        if " " in value or "." not in value or scheme not in ("", "http", "https"):
            raise Invalid(_l("Not a web address."))
        return value

    return Rule(convert)


def clean(schema: Mapping[str, Rule], data: Mapping[str, Any], partial: bool = False,
          check: Callable[[dict], dict] | None = None) -> dict:
    """Return the converted values of the fields in ``data``; blank optional fields become None.

    With ``partial`` (PATCH), missing required fields are fine; a field given blank is not.
    Unknown fields are an error, so a typo in an API call does not pass silently.
    ``check(cleaned)`` adds cross-field problems (given the fields that converted), so they are
    reported together with the per-field ones.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in schema:
            errors[key] = str(_l("Unknown field."))
    for key, rule in schema.items():
        if key not in data:
            if rule.required and not partial:
                errors[key] = str(_l("This field is required."))
            continue
        value = data[key]
        if _blank(value):
            if rule.required or not rule.nullable:
                errors[key] = str(_l("This field is required."))
            else:
                cleaned[key] = None
            continue
        try:
            cleaned[key] = rule.convert(value)
        except Invalid as problem:
            errors[key] = str(problem.message)
    if check is not None:
        for key, message in check(cleaned).items():
            errors.setdefault(key, message)
    if errors:
        raise ValidationError(fields=errors)
    return cleaned
