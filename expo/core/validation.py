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
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES
from flask_babel import lazy_gettext as _l

from expo.core.errors import ValidationError

MAX_MONEY = Decimal("999999999999.99")  # Numeric(14, 2)
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL
_ID = re.compile(r"[1-9][0-9]{0,9}")  # one way to write an id: no sign, no leading zero
_PERIOD = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")  # ASCII digits only (\d takes any script's)
# Control characters (NUL above all: PostgreSQL refuses it; C1 ones, U+0080–U+009F, which no keyboard
# types and which can re-style a PDF's text) are never part of user text, and neither are lone UTF-16
# surrogates (JSON's "\ud800"): no database can store them as UTF-8.
CONTROL_CHARACTERS = _CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Dates people and APIs write: ISO only (date.fromisoformat also takes 20260101 and 2026-W01-1).
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
FIRST_YEAR, LAST_YEAR = 1900, 2100
# Money as people type it: ASCII digits, spaces (also non-breaking) between groups, one decimal separator.
_MONEY = re.compile("(?:[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?")
_HOST = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}", re.IGNORECASE)


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
        if len(value) > max_len:  # as sent: what the OpenAPI document's maxLength says
            raise Invalid(_l("At most %(n)d characters.", n=max_len))
        value = value.strip()
        if _CONTROL.search(value):
            raise Invalid(_l("Contains control characters."))
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


# Plain ASCII addresses (nearly all of them) are checked by this pattern, as email-validator would
# judge them, at a tenth of its cost: an import checks 100 000 of them. Anything else (quoted or
# Unicode local parts, IDN domains, special-use names) goes to email-validator.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL = re.compile(rf"({_ATOM}(?:\.{_ATOM})*)@((?:{_LABEL}\.)+[A-Za-z]{{2,63}})")
_SPECIAL_USE = {"arpa", "invalid", "local", "localhost", "onion", "test"}


def email(required: bool = False) -> Rule:
    def convert(value):
        if not isinstance(value, str) or len(value) > 254:
            raise Invalid(_l("Not a valid e-mail address."))
        plain = _PLAIN_EMAIL.fullmatch(value.strip())
        if plain and len(plain.group(1)) <= 64 and plain.group(2).rsplit(".", 1)[-1].lower() not in _SPECIAL_USE \
                and "xn--" not in plain.group(2).lower():
            local = plain.group(1)
            return f"{local.lower() if local.lower() in CASE_INSENSITIVE_MAILBOX_NAMES else local}@{plain.group(2).lower()}"
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            raise Invalid(_l("Not a valid e-mail address.")) from None

    return Rule(convert, required)


def tax_id(required: bool = False) -> Rule:
    """Russian INN: 10 digits for a company, 12 for a sole trader."""

    def convert(value):
        value = value.strip() if isinstance(value, str) else ""
        if not (value.isascii() and value.isdigit()) or len(value) not in (10, 12):
            raise Invalid(_l("A tax id has 10 or 12 digits."))
        return value

    return Rule(convert, required)


def parse_date(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` date from 1900 to 2100, or None."""
    if isinstance(value, date):
        return value if FIRST_YEAR <= value.year <= LAST_YEAR else None
    match = _DATE.fullmatch(str(value).strip())
    if not match or not FIRST_YEAR <= int(match.group(1)) <= LAST_YEAR:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:  # 2026-02-30
        return None


def iso_date(required: bool = False) -> Rule:
    def convert(value):
        parsed = parse_date(value)
        if parsed is None:
            raise Invalid(_l("Not a date (YYYY-MM-DD, years %(first)d to %(last)d).", first=FIRST_YEAR,
                             last=LAST_YEAR))
        return parsed

    return Rule(convert, required)


def money(required: bool = False) -> Rule:
    def convert(value):
        if isinstance(value, bool) or isinstance(value, float):
            # Floats lose cents; the API takes money as a decimal string (or an integer).
            raise Invalid(_l("Give the amount as a decimal string, e.g. \"1500.00\"."))
        text_value = str(value).strip()
        # Only what a person types: Decimal() alone would also take "1e5", "1_000", "NaN" and other scripts' digits.
        if not _MONEY.fullmatch(text_value):
            raise Invalid(_l("Not an amount: digits with one decimal separator, e.g. 1 500,00."))
        try:
            amount = Decimal(re.sub("[ \u00a0\u202f]", "", text_value).replace(",", "."))
        except InvalidOperation:
            raise Invalid(_l("Not an amount.")) from None
        if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
            raise Invalid(_l("The amount must be between 0 and %(max)s.", max=MAX_MONEY))
        if amount != amount.quantize(Decimal("0.01")):
            raise Invalid(_l("At most two decimal places."))
        return amount.quantize(Decimal("0.01"))

    return Rule(convert, required)


def integer(low: int, high: int, required: bool = False) -> Rule:
    """A whole number from ``low`` to ``high`` (JSON integers or ASCII digits; booleans refused)."""

    def convert(value):
        if isinstance(value, bool) or isinstance(value, float):
            raise Invalid(_l("Must be a whole number."))
        text_value = str(value).strip()
        digits = text_value[1:] if text_value[:1] in "+-" else text_value
        if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
            raise Invalid(_l("Must be a whole number."))
        number = int(text_value)
        if not low <= number <= high:
            raise Invalid(_l("Must be from %(low)d to %(high)d.", low=low, high=high))
        return number

    return Rule(convert, required)


def period(required: bool = False) -> Rule:
    """A month, ``YYYY-MM`` (2000–2100): the period plans and reports are made for."""

    def convert(value):
        if not isinstance(value, str) or not _PERIOD.fullmatch(value.strip()) \
                or not 2000 <= int(value.strip()[:4]) <= 2100:
            raise Invalid(_l("A period is a month: YYYY-MM."))
        return value.strip()

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
    """A web address: ``http://`` or ``https://`` and a host name (``example.ru`` gets ``https://``)."""
    base = text(max_len)

    def convert(value):
        value = base.convert(value)
        if "://" not in value and ":" not in value.split("/", 1)[0]:
            value = "https://" + value  # what people type; any other scheme (javascript:, data:) is refused below
        if not _is_web_address(value) or len(value) > max_len:
            raise Invalid(_l("Not a web address (http:// or https://)."))
        return value

    return Rule(convert)


def _is_web_address(value: str) -> bool:
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").encode("idna").decode("ascii")  # кц.рф → xn--…
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except (ValueError, UnicodeError):
        return False
    return (parts.scheme.lower() in ("http", "https") and parts.username is None
            and not any(c.isspace() for c in value) and bool(_HOST.fullmatch(host)))


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
