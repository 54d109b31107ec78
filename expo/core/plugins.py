"""Finding, enabling and calling plugins.

One ``PluginManager`` per app, built in ``create_app`` and kept in ``app.extensions`` (never at
import time, so each test gets a fresh one). Disabled plugins are blocked *before* entry points
load: their code is never imported.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path
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


def plugin_folders(pm: pluggy.PluginManager, subfolder: str) -> dict[str, Path]:
    """``{name: <package>/<subfolder>}`` of each enabled plugin whose package has that folder
    (``migrations/versions``, ``translations``)."""
    found = {}
    for name, plugin in enabled_plugins(pm).items():
        module_file = getattr(plugin, "__file__", None)
        if module_file:
            folder = Path(module_file).resolve().parent / subfolder
            if folder.is_dir():
                found[name] = folder
    return found


def plugin_list(pm: pluggy.PluginManager) -> list[PluginInfo]:
    loaded = enabled_plugins(pm)
    return [
        PluginInfo(p.name, p.version, p.distribution, p.name in loaded) for p in installed_plugins()
    ]


def has_listeners(hook: str) -> bool:
    """Whether any plugin implements ``hook`` (bulk work skips loading objects nobody listens for)."""
    return bool(getattr(plugin_manager().hook, hook).get_hookimpls())


def call(hook: str, **kwargs: Any) -> list:
    """Fire a lifecycle hook with every implementation; exceptions propagate (and roll back)."""
    return getattr(plugin_manager().hook, hook)(**kwargs)


def registered(hook: str, pm: pluggy.PluginManager | None = None, **kwargs: Any) -> list:
    """Ask a registry hook (``register_*``), flattening the lists plugins return.

    Exceptions propagate: a plugin that cannot say what it registers is broken, and the start-up
    or command that asked should say so rather than run without part of it.
    """
    pm = pm or plugin_manager()
    return [item for result in getattr(pm.hook, hook)(**kwargs) for item in (result or ())]


def _answers_by_plugin(pm: pluggy.PluginManager, hook: str, kwargs: dict):
    """Yield ``(plugin name, answer)`` for each implementation, one call per plugin.

    Each call goes through pluggy (a subset caller with every other implementer removed), so
    hook wrappers and tracing still apply; an exception is logged with the plugin's name and
    that plugin's answer is skipped.
    """
    caller = getattr(pm.hook, hook)
    implementers = [impl for impl in caller.get_hookimpls() if not (impl.hookwrapper or impl.wrapper)]
    for impl in reversed(implementers):  # registration order, as a plain hook call answers
        others = [other.plugin for other in implementers if other.plugin is not impl.plugin]
        try:
            answers = pm.subset_hook_caller(hook, remove_plugins=others)(**kwargs)
        except Exception:
            log.exception("plugin %s failed in hook %s", impl.plugin_name, hook)
            continue
        for answer in answers:
            yield impl.plugin_name, answer


def collect(hook: str, pm: pluggy.PluginManager | None = None, **kwargs: Any) -> list:
    """Ask a UI-slot hook, flattening the lists plugins return.

    One plugin's exception is logged with its name and skipped, so a broken plugin costs its
    own panel, not the page.
    """
    pm = pm or plugin_manager()
    return [item for _name, answer in _answers_by_plugin(pm, hook, kwargs) for item in (answer or ())]


def client_priority(client_ids: Iterable[int]) -> dict[int, float]:
    """``{client_id: summed priority}`` over every plugin answering ``client_priority`` (missing = 0)."""
    ids = list(client_ids)
    totals = dict.fromkeys(ids, 0)
    if not ids:
        return totals
    for _name, answer in _answers_by_plugin(plugin_manager(), "client_priority", {"client_ids": ids}):
        for client_id, value in (answer or {}).items():
            if client_id in totals and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                totals[client_id] += value
    return totals
