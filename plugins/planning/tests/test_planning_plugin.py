"""The planning plugin is an installed distribution found through the expo.plugins entry point."""
import sys

from expo.core.plugins import installed_plugins, make_plugin_manager


def test_planning_is_installed_as_a_plugin():
    info = {p.name: p for p in installed_plugins()}["planning"]
    assert info.distribution == "expo-planning"
    assert info.version == "0.1.0"


def test_planning_loads_when_enabled_and_is_not_imported_when_disabled():
    sys.modules.pop("expo_planning", None)
    blocked = make_plugin_manager("none")
    assert blocked.get_plugin("planning") is None
    assert "expo_planning" not in sys.modules
    enabled = make_plugin_manager("planning")
    assert enabled.get_plugin("planning") is sys.modules["expo_planning"]
