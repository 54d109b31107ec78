"""Settings, read from ``EXPO_*`` environment variables.

Every setting has an embedded default so that ``expo run`` works on a fresh machine with
nothing else installed: SQLite under ``instance/``, in-process jobs, mail into an outbox folder.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALES = ("ru", "en")
MB = 1024 * 1024
# Room beside the file for the other fields of a multipart form.
FORM_OVERHEAD_BYTES = MB


class ConfigError(RuntimeError):
    """A setting has a value Expo cannot start with; the message names it."""


def _instance_dir() -> Path:
    return Path(os.environ.get("EXPO_INSTANCE_DIR", Path.cwd() / "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """A key generated once and kept in the instance folder (when EXPO_SECRET_KEY is not set).

    A random key per process would log everybody out on restart and break multi-worker set-ups.
    """
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _whole_number(name: str, default: int) -> int:
    raw = os.environ.get(name, str(default)).strip()
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "0").strip().lower()
    if raw not in ("0", "1", "true", "false", "yes", "no", ""):
        raise ConfigError(f"{name} must be 1 or 0, not {raw!r}")
    return raw in ("1", "true", "yes")


def fill_defaults(config: dict) -> None:
    """Settings that default to places in the instance folder, once that folder is known."""
    instance = Path(config["INSTANCE_DIR"])
    instance.mkdir(parents=True, exist_ok=True)
    config["DATABASE_URL"] = config["DATABASE_URL"] or f"sqlite:///{instance / 'expo.sqlite3'}"
    config["OUTBOX_DIR"] = config["OUTBOX_DIR"] or str(instance / "outbox")
    config["SECRET_KEY"] = config["SECRET_KEY"] or _secret_key(instance)
    config.setdefault("REPORTS_DIR", str(instance / "reports"))
    config.setdefault("IMPORTS_DIR", str(instance / "imports"))
    # The largest request is an import upload: a bigger one is answered 413 before it is read.
    config["MAX_CONTENT_LENGTH"] = config["IMPORT_MAX_MB"] * MB + FORM_OVERHEAD_BYTES
    for name in ("LOGIN_LIMIT_ACCOUNT", "LOGIN_LIMIT_ADDRESS"):
        _check_rate(name, config[name])
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"EXPO_TIMEZONE is not a time zone: {config['TIMEZONE']!r}") from None


def _check_rate(name: str, value: str) -> None:
    from limits import parse_many

    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"EXPO_{name} is not a rate such as '10 per 15 minutes': {value!r}") from None


def from_environment() -> dict:
    """Build the Flask config mapping from the environment."""
    instance = _instance_dir()
    return {
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": os.environ.get("EXPO_DATABASE_URL"),  # default: SQLite in the instance folder
        "REDIS_URL": os.environ.get("EXPO_REDIS_URL") or None,
        "SECRET_KEY": os.environ.get("EXPO_SECRET_KEY"),  # default: generated into the instance folder
        "PLUGINS": os.environ.get("EXPO_PLUGINS", "all"),
        "IMPORT_MAX_MB": _whole_number("EXPO_IMPORT_MAX_MB", 20),  # the largest file an import takes
        # Files with more data rows than this are checked and committed by a job (progress bar).
        "IMPORT_JOB_ROWS": _whole_number("EXPO_IMPORT_JOB_ROWS", 5000),
        "IMPORT_MAX_ROWS": _whole_number("EXPO_IMPORT_MAX_ROWS", 200_000),  # the most rows one file may have
        "CLIENT_PURGE_DAYS": _whole_number("EXPO_CLIENT_PURGE_DAYS", 30),  # deleted clients restorable this long
        "SMTP_URL": os.environ.get("EXPO_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("EXPO_MAIL_FROM", "expo@localhost"),
        "OUTBOX_DIR": os.environ.get("EXPO_OUTBOX_DIR"),  # default: <instance>/outbox (create_app)
        "LOCALE": os.environ.get("EXPO_LOCALE", "ru"),
        "CURRENCY": os.environ.get("EXPO_CURRENCY", "RUB"),
        "FIRM_NAME": os.environ.get("EXPO_FIRM_NAME", "Expo"),
        "BASE_URL": os.environ.get("EXPO_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "STALLED_DAYS": _whole_number("EXPO_STALLED_DAYS", 14),
        "TIMEZONE": os.environ.get("EXPO_TIMEZONE", "Europe/Moscow"),
        "REPORT_RETENTION_DAYS": _whole_number("EXPO_REPORT_RETENTION_DAYS", 90),
        "DOCUMENT_TIMEOUT": _whole_number("EXPO_DOCUMENT_TIMEOUT", 3),
        "DOCUMENT_MEMORY_MB": _whole_number("EXPO_DOCUMENT_MEMORY_MB", 256),
        "DOCUMENT_WORKERS": _whole_number("EXPO_DOCUMENT_WORKERS", 2),
        # A filled document printed to PDF: laid out in a child process with these limits.
        "DOCUMENT_PDF_TIMEOUT": _whole_number("EXPO_DOCUMENT_PDF_TIMEOUT", 15),
        "DOCUMENT_PDF_MEMORY_MB": _whole_number("EXPO_DOCUMENT_PDF_MEMORY_MB", 1024),
        "HTTPS": _flag("EXPO_HTTPS"),
        "SESSION_DAYS": _whole_number("EXPO_SESSION_DAYS", 14),  # a login lasts this long at most
        "PROXY_COUNT": _whole_number("EXPO_PROXY_COUNT", 0),
        "LOGIN_LIMIT_ACCOUNT": os.environ.get("EXPO_LOGIN_LIMIT_ACCOUNT", "10 per 15 minutes"),
        "LOGIN_LIMIT_ADDRESS": os.environ.get("EXPO_LOGIN_LIMIT_ADDRESS", "50 per 15 minutes"),
    }


def plugin_setting(name: str, default: int | str | bool):
    """A plugin's setting: ``app.config[name]`` (tests set it there), else ``EXPO_<name>``, else
    ``default``; converted to the type of ``default``. A value that does not convert stops with a
    :class:`ConfigError` naming the variable, as the core's settings do.

    Plugins name their settings after themselves: ``plugin_setting("RATINGS_MIN", -100)``.
    """
    from flask import current_app

    if name in current_app.config:
        return current_app.config[name]
    raw = os.environ.get(f"EXPO_{name}")
    if raw is None:
        return default
    raw = raw.strip()
    if isinstance(default, bool):
        if raw.lower() not in ("1", "0", "true", "false", "yes", "no", "on", "off"):
            raise ConfigError(f"EXPO_{name} must be true or false, not {raw!r}")
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        sign, digits = (raw[0], raw[1:]) if raw[:1] in "+-" else ("", raw)
        if not (digits.isascii() and digits.isdigit()):
            raise ConfigError(f"EXPO_{name} must be a whole number, not {raw!r}")
        return int(sign + digits)
    return raw
