"""Finding, enabling and calling plugins.

One ``PluginManager`` per app, built in ``create_app`` and kept in ``app.extensions`` (never at
import time, so each test gets a fresh one). Disabled plugins are blocked *before* entry points
load: their code is never imported.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Iterable

import pluggy
from flask import current_app

from expo.config import ConfigError
from expo.core import hookspecs

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "expo.plugins"


class PluginConfigError(ConfigError):
    """EXPO_PLUGINS names plugins that are not installed."""


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str
    distribution: str
    enabled: bool


def installed_plugins() -> list[PluginInfo]:
    """Every plugin installed in this environment, enabled or not (entry point metadata only)."""
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        dist = ep.dist
        found.append(PluginInfo(ep.name, dist.version if dist else "?", dist.name if dist else "?", False))
    return sorted(found, key=lambda p: p.name)


def parse_enabled(setting: str, installed: Iterable[str]) -> set[str]:
    installed = set(installed)
    value = (setting or "all").strip()
    if value == "all":
        return installed
    if value == "none":
        return set()
    wanted = {name.strip() for name in value.split(",") if name.strip()}
    unknown = wanted - installed
    if unknown:
        raise PluginConfigError(
            f"EXPO_PLUGINS names plugins that are not installed: {', '.join(sorted(unknown))} "
            f"(installed: {', '.join(sorted(installed)) or 'none'})"
        )
    return wanted


def make_plugin_manager(setting: str, extra: Iterable[Any] = ()) -> pluggy.PluginManager:
    """Build the app's plugin manager; ``extra`` plugin objects are registered too (tests use it)."""
    pm = pluggy.PluginManager("expo")
    pm.add_hookspecs(hookspecs)
    installed = [p.name for p in installed_plugins()]
    enabled = parse_enabled(setting, installed)
    for name in set(installed) - enabled:
        pm.set_blocked(name)
    # An enabled plugin that fails to import raises here: start-up fails loudly, as it should.
    pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    for plugin in extra:
        pm.register(plugin)
    pm.check_pending()
    return pm


def plugin_manager() -> pluggy.PluginManager:
    return current_app.extensions["expo.plugins"]


def enabled_plugins(pm: pluggy.PluginManager) -> dict[str, Any]:
    """``{name: plugin}`` of the plugins loaded (blocked ones are listed by pluggy with ``None``)."""
    return {name: plugin for name, plugin in pm.list_name_plugin() if plugin is not None}


def plugin_list(pm: pluggy.PluginManager) -> list[PluginInfo]:
    loaded = enabled_plugins(pm)
    return [
        PluginInfo(p.name, p.version, p.distribution, p.name in loaded) for p in installed_plugins()
    ]


def call(hook: str, **kwargs: Any) -> list:
    """Fire a hook with every implementation; exceptions propagate (lifecycle hooks)."""
    return getattr(plugin_manager().hook, hook)(**kwargs)


def collect(hook: str, pm: pluggy.PluginManager | None = None, **kwargs: Any) -> list:
    """Ask a UI-slot hook, flattening the lists plugins return.

    One plugin's exception is logged with its name and skipped, so a broken plugin costs its
    own panel, not the page.
    """
    pm = pm or plugin_manager()
    items: list = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        try:
            result = impl.function(*[kwargs[arg] for arg in impl.argnames])
        except Exception:
            log.exception("plugin %s failed in hook %s", impl.plugin_name, hook)
            continue
        if result:
            items.extend(result)
    return items
