"""Expo: a CRM for firms that sell exhibitions and projects.

``create_app`` is the app factory: settings, database, plugins, auth, i18n, blueprints.
"""
from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Iterable

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

PACKAGE = Path(__file__).resolve().parent
# Where the templates, migrations and front-end files are: the checkout (DESIGN.md's layout, an
# editable install), or, installed from a wheel, the copy the build put inside the package.
ROOT = PACKAGE.parent if (PACKAGE.parent / "templates").is_dir() else PACKAGE / "_bundled"


class IdConverter(IntegerConverter):
    """``<int:…>`` in a URL: a 32-bit id. A larger number names nothing: 404, whatever the method.

    Werkzeug's own range check would make the router skip the rule and answer 405 for PATCH or
    DELETE (another method's rule on the same path matched first), so the range is checked here.
    """

    def to_python(self, value: str) -> int:
        # Werkzeug's \d+ takes any script's digits ("١", "１") and leading zeros: one id, one URL.
        if not value.isascii() or (value.startswith("0") and value != "0"):
            raise NotFound()
        number = super().to_python(value)
        if number > 2**31 - 1:
            raise NotFound()
        return number


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
    pm = plugin_system.make_plugin_manager(app.config["PLUGINS"], plugins)
    app.extensions["expo.plugins"] = pm
    i18n.init_app(app, plugin_system.plugin_folders(pm, "translations").values())
    register_web(app)
    for blueprint in plugin_system.registered("register_blueprints", pm, app=app):
        app.register_blueprint(blueprint)
    register_commands(app)
    return app


def freeze_heap() -> None:
    """Put every object alive now (the app, its modules, models, templates) out of the cyclic
    garbage collector's sight, for a serving process once its app is made (``wsgi.py``).

    A full collection walks every tracked object; in a worker that is some 100 ms at a time, every
    few hundred requests, the long tail of every page's times (docs/performance.md). Frozen objects
    are never freed, so this is not for tests, which make many apps.
    """
    gc.collect()
    gc.freeze()

