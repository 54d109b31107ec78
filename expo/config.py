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
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


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


def fill_defaults(config: dict) -> None:
    """Settings that default to places in the instance folder, once that folder is known."""
    instance = Path(config["INSTANCE_DIR"])
    instance.mkdir(parents=True, exist_ok=True)
    config["DATABASE_URL"] = config["DATABASE_URL"] or f"sqlite:///{instance / 'expo.sqlite3'}"
    config["OUTBOX_DIR"] = config["OUTBOX_DIR"] or str(instance / "outbox")
    config["SECRET_KEY"] = config["SECRET_KEY"] or _secret_key(instance)
    config.setdefault("REPORTS_DIR", str(instance / "reports"))
    try:
        ZoneInfo(config["TIMEZONE"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"EXPO_TIMEZONE is not a time zone: {config['TIMEZONE']!r}") from None


def from_environment() -> dict:
    """Build the Flask config mapping from the environment."""
    instance = _instance_dir()
    return {
        "INSTANCE_DIR": str(instance),
        "DATABASE_URL": os.environ.get("EXPO_DATABASE_URL"),  # default: SQLite in the instance folder
        "REDIS_URL": os.environ.get("EXPO_REDIS_URL") or None,
        "SECRET_KEY": os.environ.get("EXPO_SECRET_KEY"),  # default: generated into the instance folder
        "PLUGINS": os.environ.get("EXPO_PLUGINS", "all"),
        "MAX_CONTENT_LENGTH": MAX_UPLOAD_BYTES,
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
    }
