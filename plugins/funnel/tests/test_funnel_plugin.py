"""The funnel plugin is an installed distribution found through the expo.plugins entry point."""
import sys

from expo.core.plugins import installed_plugins, make_plugin_manager


def test_funnel_is_installed_as_a_plugin():
    info = {p.name: p for p in installed_plugins()}["funnel"]
    assert info.distribution == "expo-funnel"
    assert info.version == "0.1.0"


def test_funnel_loads_when_enabled_and_is_not_imported_when_disabled():
    sys.modules.pop("expo_funnel", None)
    blocked = make_plugin_manager("none")
    assert blocked.get_plugin("funnel") is None
    assert "expo_funnel" not in sys.modules
    enabled = make_plugin_manager("funnel")
    assert enabled.get_plugin("funnel") is sys.modules["expo_funnel"]
