"""The funnel plugin is an installed distribution found through the expo.plugins entry point."""
import sys

from expo.core.plugins import installed_plugins, make_plugin_manager


def test_():
    info = {p.name: p for p in installed_plugins()}["funnel"]
    assert info.distribution == "expo-funnel"
    assert info.version == "0.1.0"


def test_():
    sys.modules.pop("expo_funnel", None)
    blocked = make_plugin_manager("none")
    assert blocked.get_plugin("funnel") is None
    assert "expo_funnel" not in sys.modules
    enabled = make_plugin_manager("funnel")
    assert enabled.get_plugin("funnel") is sys.modules["expo_funnel"]
