"""Schema migrations: the core's Alembic tree, then one tree per enabled plugin.

Each plugin keeps its revisions in ``<package>/migrations/versions`` and its own version table
``alembic_version_<plugin>`` (as Indico and CKAN do): uninstalling a plugin then leaves the
core's history intact, and re-enabling it finds its own history where it left it.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from expo import ROOT
from expo.core.models.clients import NAME_TRIGRAMS
from expo.core.plugins import plugin_folders

CORE_SCRIPTS = ROOT / "migrations"


# Tables made by migrations that no model declares: SQLite's trigram index of the client names
# (an FTS5 table, and the tables FTS5 keeps for it).
UNDECLARED_TABLES = (NAME_TRIGRAMS,)


def not_a_version_table(name, type_, _parent_names) -> bool:
    """For Alembic's ``include_name``: compare everything but the version tables (the core's and
    each plugin's ``alembic_version_<plugin>``) and the other tables no model declares
    (``UNDECLARED_TABLES``)."""
    return not (type_ == "table" and name.startswith(("alembic_version", *UNDECLARED_TABLES)))


def declared_for(dialect: str):
    """For Alembic's ``include_object``: leave out the model's objects meant for another database
    (an index declared with ``.ddl_if(dialect="postgresql")``, such as the trigram indexes, which
    no SQLite database has)."""
    def include(obj, _name, _type, reflected, _compare_to) -> bool:
        only = getattr(obj, "_ddl_if", None)
        return reflected or only is None or only.dialect in (None, dialect)

    return include


def alembic_config(connection, version_table: str = "alembic_version",
                   versions: Path | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(CORE_SCRIPTS))
    config.set_main_option("path_separator", "os")  # paths may contain spaces
    if versions is not None:
        config.set_main_option("version_locations", str(versions))
    config.attributes["connection"] = connection
    config.attributes["version_table"] = version_table
    return config


def plugin_version_dirs(app: Flask) -> dict[str, Path]:
    """``{plugin name: versions folder}`` for every enabled plugin that ships migrations."""
    folders = plugin_folders(app.extensions["expo.plugins"], "migrations/versions")
    return {name: folder for name, folder in folders.items() if any(folder.glob("*.py"))}


def upgrade(app: Flask) -> list[str]:
    """Bring the core and every enabled plugin to their newest revision; returns what was upgraded."""
    engine = app.extensions["expo.engine"]
    done = []
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "heads")
        done.append("core")
        for name, versions in sorted(plugin_version_dirs(app).items()):
            command.upgrade(alembic_config(connection, f"alembic_version_{name}", versions), "heads")
            done.append(name)
    return done


def downgrade(app: Flask, plugin: str, revision: str = "base") -> None:
    """Take one enabled plugin's tables back to ``revision`` (``base``: dropped, its history gone),
    as before the plugin was first enabled; the core and other plugins are left alone."""
    versions = plugin_version_dirs(app)[plugin]
    with app.extensions["expo.engine"].begin() as connection:
        command.downgrade(alembic_config(connection, f"alembic_version_{plugin}", versions), revision)
