"""Translation and locale-aware formatting (Flask-Babel).

The locale is the one the user picked in this session, else ``EXPO_LOCALE`` (default Russian).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from babel import Locale, dates as babel_dates, numbers as babel_numbers
from flask import Flask, current_app, g, has_request_context, session
from flask_babel import Babel, format_date, format_decimal, get_locale

from expo.config import LOCALES, ConfigError
from expo.core import clock

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> Locale:
    chosen = session.get("locale") if has_request_context() else None
    return _interned(chosen if chosen in LOCALES else current_app.config["LOCALE"])


@lru_cache(maxsize=None)
def _interned(code: str) -> Locale:
    """One ``Locale`` object per code for the process. The formatting caches below and the labels'
    texts are keyed by the locale; Babel's ``Locale.__eq__`` compares five attributes, and a lookup
    with the very object a key holds skips it (a page looks up a hundred times)."""
    return Locale.parse(code)


def current_locale() -> Locale:
    """The locale of this request (or job): Flask-Babel's choice, read where Flask-Babel keeps it
    once made. Its own ``get_locale()`` walks three context proxies on every call, and a page asks
    a hundred times (dates, amounts, labels, ``_()``): part of the fixed cost per request that
    docs/performance.md measures. ``force_locale`` sets the same attribute, so it is honoured."""
    found = getattr(g.get("_flask_babel"), "babel_locale", None)
    return found if found is not None else get_locale()


# Formatting goes to Babel directly with the request's locale (Flask-Babel's wrappers look the
# locale and the zone up again per call). A day or an amount formats the same every time in a
# locale, and pages repeat them (an exhibition's dates on every row): those are remembered.
@lru_cache(maxsize=8192)
def _day_text(day: date, locale: Locale) -> str:
    return babel_dates.format_date(day, "medium", locale=locale)


@lru_cache(maxsize=8192)
def _money_text(amount: Decimal, currency: str, locale: Locale) -> str:
    return babel_numbers.format_currency(amount, currency, locale=locale)


def day_text(value: date | datetime | None) -> str:
    """«4 дек. 2026 г.»: a date, or a moment's day on the firm's clock; "—" for none."""
    if not value:
        return "—"
    if isinstance(value, datetime):
        value = clock.firm_time(value).date()
    return _day_text(value, current_locale())


def moment_text(value: datetime | None) -> str:
    """«04.12.2026, 14:05»: a moment on the firm's clock, in the locale's short form; "—" for none."""
    if not value:
        return "—"
    moment, locale = clock.firm_time(value), current_locale()
    short = _short_moment(locale)
    if short is None:
        return babel_dates.format_datetime(moment, "short", locale=locale)
    template, am, pm = short
    return template.format(d=moment.day, M=moment.month, y=moment.year, yy=moment.year % 100, H=moment.hour,
                           h=moment.hour % 12 or 12, m=moment.minute, a=am if moment.hour < 12 else pm)


# The CLDR fields of the locales' short date and time patterns, as str.format fields of the
# values moment_text passes.
_MOMENT_FIELDS = {("d", 1): "{d}", ("d", 2): "{d:02d}", ("M", 1): "{M}", ("M", 2): "{M:02d}", ("y", 1): "{y}",
                  ("y", 2): "{yy:02d}", ("y", 4): "{y:04d}", ("H", 1): "{H}", ("H", 2): "{H:02d}", ("h", 1): "{h}",
                  ("h", 2): "{h:02d}", ("m", 1): "{m}", ("m", 2): "{m:02d}", ("a", 1): "{a}"}


@lru_cache(maxsize=32)
def _short_moment(locale: Locale) -> tuple[str, str, str] | None:
    """Babel's short date-and-time pattern of ``locale`` as a ``str.format`` template (with the
    locale's AM and PM), or None where it has a field not in _MOMENT_FIELDS (Babel formats those).
    A page shows dozens of moments, and Babel interprets the pattern anew for each (some 20 µs)."""
    glue = str(locale.datetime_formats["short"]).replace("'", "")
    parts = {"{0}": locale.time_formats["short"].pattern, "{1}": locale.date_formats["short"].pattern}
    template = []
    for piece in re.split(r"(\{[01]\})", glue):
        if piece not in parts:
            template.append(piece.replace("{", "{{").replace("}", "}}"))
            continue
        for kind, value in babel_dates.tokenize_pattern(parts[piece]):
            if kind == "chars":
                template.append(value.replace("{", "{{").replace("}", "}}"))
            elif value in _MOMENT_FIELDS:
                template.append(_MOMENT_FIELDS[value])
            else:
                return None
    periods = locale.day_periods["format"]["abbreviated"]
    return "".join(template), periods["am"], periods["pm"]


def money(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    if amount == 0:
        # -0 equals 0 (one entry remembered for both) but Babel writes it "-0,00": zero has no sign
        amount = abs(amount)
    return _money_text(amount, current_app.config["CURRENCY"], current_locale())


def amount_input(amount: Decimal | str | None) -> str:
    """An amount as an input's value in the locale ("2 359 000,00" in Russian), so the field reads
    like the «2 359 000,00 ₽» shown next to it; ``validation.money`` reads it back. A string is a
    value the user typed (a form shown again with its errors) and stays as typed."""
    if amount is None or amount == "":
        return ""
    if isinstance(amount, str):
        return amount
    return format_decimal(amount, "#,##0.00")


def period_label(period: str | None) -> str:
    """A report period ``YYYY-MM`` as people name it: «октябрь 2026» (the stand-alone month name)."""
    if not period:
        return "—"
    try:
        year, month = int(period[:4]), int(period[5:7])
        return format_date(date(year, month, 1), "LLLL y")
    except ValueError:
        return period


def tel_href(phone: str | None) -> str:
    """A ``tel:`` link's target for a phone as people type it ("+7 (495) 123-45-67, доб. 12"):
    the first number's digits and a leading plus, so a phone dials it."""
    first = re.split(r"[,;]|доб|ext", phone or "", maxsplit=1, flags=re.IGNORECASE)[0]
    return "tel:" + "".join(ch for ch in first if ch.isdigit() or ch == "+")


def init_app(app: Flask, plugin_translations: Iterable[Path] = ()) -> None:
    """Set up Flask-Babel; each enabled plugin's ``translations`` folder is merged into the core's
    catalog, so plugins use ``gettext`` like the core."""
    if app.config["LOCALE"] not in LOCALES:
        raise ConfigError(f"EXPO_LOCALE must be one of {', '.join(LOCALES)}, not {app.config['LOCALE']!r}")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          ";".join(str(folder) for folder in (TRANSLATIONS, *plugin_translations)))
    # Times are stored in UTC and shown on the firm's wall clock (EXPO_TIMEZONE): Flask-Babel's
    # format_datetime/format_date rebase a datetime to this zone, in pages, PDFs and mails alike
    # (they all render through this Jinja env).
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    Babel(app, locale_selector=select_locale, default_timezone=app.config["TIMEZONE"])
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["tel"] = tel_href
    app.jinja_env.filters["amount_input"] = amount_input
    app.jinja_env.filters["period"] = period_label
    app.jinja_env.filters["date"] = day_text
    app.jinja_env.filters["datetime"] = moment_text
    app.jinja_env.globals["current_locale"] = lambda: str(current_locale())
    app.jinja_env.globals["LOCALES"] = LOCALES
    # imported here: both read the locale from this module
    from expo.core import template_gettext
    from expo.core.labels import label

    app.extensions["expo.label_texts"] = {}  # label()'s texts, for this app's merged catalogs
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["today"] = clock.today
    template_gettext.install(app)
