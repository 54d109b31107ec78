"""Expo: a CRM for firms that sell exhibitions and projects.

``create_app`` is the app factory: settings, database, plugins, auth, i18n, blueprints.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from flask import Flask
from werkzeug.routing import IntegerConverter

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(config: dict[str, Any] | None = None, plugins: Iterable[Any] = ()) -> Flask:
    """Build an Expo application.

    ``config`` overrides settings read from the environment (tests use it); ``plugins`` are extra
    plugin objects registered beside the installed ones (tests register probes this way).
    """
    from expo import config as settings
    from expo.cli import register_commands
    from expo.core import db, i18n, plugins as plugin_system
    from expo.web import register_web

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=None,
    )
    # Every <int:…> in a URL is a 32-bit id: larger numbers are a 404, never a database error.
    app.url_map.converters["int"] = IdConverter
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    app.config["WTF_CSRF_TIME_LIMIT"] = None  # tokens live as long as the session
    settings.fill_defaults(app.config)

    db.init_app(app)
    i18n.init_app(app)
    pm = plugin_system.make_plugin_manager(app.config["PLUGINS"], plugins)
    app.extensions["expo.plugins"] = pm
    register_web(app)
    for blueprints in pm.hook.register_blueprints(app=app):
        for blueprint in blueprints or ():
            app.register_blueprint(blueprint)
    register_commands(app)
    return app
