"""The ratings plugin is an installed distribution found through the expo.plugins entry point."""
import sys

from expo.core.plugins import installed_plugins, make_plugin_manager


def test_ratings_is_installed_as_a_plugin():
    info = {p.name: p for p in installed_plugins()}["ratings"]
    assert info.distribution == "expo-ratings"
    assert info.version == "0.1.0"


def test_ratings_loads_when_enabled_and_is_not_imported_when_disabled():
    sys.modules.pop("expo_ratings", None)
    blocked = make_plugin_manager("none")
    assert blocked.get_plugin("ratings") is None
    assert "expo_ratings" not in sys.modules
    enabled = make_plugin_manager("ratings")
    assert enabled.get_plugin("ratings") is sys.modules["expo_ratings"]
