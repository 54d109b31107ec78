"""Understanding one spreadsheet cell, whatever wrote the file.

A cell arrives as text (CSV, or a text cell) or as a typed value (an .xlsx number, date or
boolean). These helpers turn it into the text, date or amount a field needs, or raise
:class:`Invalid` with the reason shown to the user for that cell.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from expo.core.validation import Invalid

REPLACEMENT = "\ufffd"  # what a byte that is not valid in the file's encoding decodes to
_SPACES = re.compile(r"\s+")
_NEEDS_SQUEEZE = re.compile(r"\s\s|[^\S ]")
# Day first, as Russian files write them; ISO as machines do.
_DATE_FORMATS = ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%y", "%d-%m-%Y")
_EXCEL_EPOCH = date(1899, 12, 30)
_DOTTED = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # the usual case, without strptime's cost
_CURRENCY = re.compile(r"(руб\.?|р\.|₽|rub|\$|€)$", re.IGNORECASE)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value, multiline: bool = False) -> str:
    """The cell as text: whole numbers without ``.0``, dates in ISO, inner whitespace squeezed
    (a line break inside a name cell is a wrap, not data) unless ``multiline``."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value).strip()
    if REPLACEMENT in text:
        raise Invalid(_l("Unreadable characters: the file's encoding is broken here."))
    if text[:1] == "=":
        raise Invalid(_l("A formula, not a value: save the file with the formula's result."))
    if multiline or not _NEEDS_SQUEEZE.search(text):  # most cells: skip the substitution
        return text
    return _SPACES.sub(" ", text)


def as_tax_id(value) -> str:
    """A tax id: digits only. A number cell lost the leading zero of a 10- or 12-digit INN: put it back."""
    text = as_text(value).replace(" ", "")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and len(text) in (9, 11):
        text = "0" + text
    return text


def as_date(value) -> date:
    """A date from a date cell, an Excel day number, or text in DD.MM.YYYY, YYYY-MM-DD or DD/MM/YYYY."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return _EXCEL_EPOCH + timedelta(days=int(value))
    text = as_text(value)
    if dotted := _DOTTED.fullmatch(text):
        try:
            return date(int(dotted.group(3)), int(dotted.group(2)), int(dotted.group(1)))
        except ValueError:
            raise Invalid(_l("Not a date: write it as DD.MM.YYYY, YYYY-MM-DD or DD/MM/YYYY.")) from None
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise Invalid(_l("Not a date: write it as DD.MM.YYYY, YYYY-MM-DD or DD/MM/YYYY."))


def as_amount(value, signed: bool = False) -> Decimal:
    """Money from a number cell or text such as ``1 234 567,89``, ``1,234,567.89`` or ``1500 руб.``.

    Spaces (also non-breaking) and apostrophes group thousands. With both ``,`` and ``.`` the last
    one is the decimal point; a lone comma is the decimal point (Russian style) unless it groups
    thousands more than once (``1,234,567``).
    """
    if isinstance(value, bool):
        raise Invalid(_l("Not an amount."))
    if isinstance(value, (int, float)):
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = _CURRENCY.sub("", as_text(value).replace("\u00a0", "").replace("\u202f", "")).strip()
        text = text.replace(" ", "").replace("'", "")
        if "," in text and "." in text:
            decimal_point = "," if text.rfind(",") > text.rfind(".") else "."
            text = text.replace("." if decimal_point == "," else ",", "").replace(",", ".")
        elif text.count(",") > 1:
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise Invalid(_l("Not an amount.")) from None
    if not amount.is_finite() or (amount < 0 and not signed) or abs(amount) > Decimal("999999999999.99"):
        raise Invalid(_l("Not an amount between 0 and 999 999 999 999.99."))
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # as Excel shows 1000.125: 1000.13
    # Typed text with more decimals is a misread ("12,345" meant as thousands?); a number cell is
    # the spreadsheet's own computation, shown to the cent, and is rounded as the sheet shows it.
    if cents != amount and not isinstance(value, (int, float)):
        raise Invalid(_l("At most two decimal places (kopecks)."))
    return cents
