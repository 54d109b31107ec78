"""Translation and locale-aware formatting (Flask-Babel).

The locale is the one the user picked in this session, else ``EXPO_LOCALE`` (default Russian).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Iterable

from flask import Flask, current_app, has_request_context, session
from flask_babel import Babel, format_currency, format_date, format_datetime, get_locale

from expo.config import LOCALES, ConfigError
from expo.core import clock
from expo.core.labels import label

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def select_locale() -> str:
    chosen = session.get("locale") if has_request_context() else None
    return chosen if chosen in LOCALES else current_app.config["LOCALE"]


def money(amount: Decimal | None) -> str:
    if amount is None:
        return "—"
    return format_currency(amount, current_app.config["CURRENCY"])


def init_app(app: Flask, plugin_translations: Iterable[Path] = ()) -> None:
    """Set up Flask-Babel; each enabled plugin's ``translations`` folder is merged into the core's
    catalog, so plugins use ``gettext`` like the core."""
    if app.config["LOCALE"] not in LOCALES:
        raise ConfigError(f"EXPO_LOCALE must be one of {', '.join(LOCALES)}, not {app.config['LOCALE']!r}")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES",
                          ";".join(str(folder) for folder in (TRANSLATIONS, *plugin_translations)))
    Babel(app, locale_selector=select_locale, default_timezone="UTC")
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["date"] = lambda d: format_date(d, "medium") if d else "—"
    app.jinja_env.filters["datetime"] = lambda d: format_datetime(d, "short") if d else "—"
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
    app.jinja_env.globals["LOCALES"] = LOCALES
    app.jinja_env.globals["label"] = label
    app.jinja_env.globals["today"] = clock.today
