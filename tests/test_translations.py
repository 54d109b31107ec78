"""Every user-visible string has a Russian translation (Russian is the default interface).

The core's strings are in ``expo/translations``; each bundled plugin keeps its own catalog in
``<package>/translations`` (merged into the core's at start-up), so a plugin installed alone
still speaks Russian.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from expo import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
CORE = (ROOT, [("expo/**.py", "python"), ("templates/**.html", "jinja2")], ROOT / "expo" / "translations")
PLUGINS = [(package, [("**.py", "python"), ("templates/**.html", "jinja2")], package / "translations")
           for package in sorted(ROOT.glob("plugins/*/expo_*")) if package.is_dir()]


def _source_messages(root: Path, methods) -> set[str]:
    found = set()

    # Babel skips folders starting with "_" by default; templates/_partials must be read too.
    def wanted(path: str) -> bool:
        return not Path(path).name.startswith(".") and Path(path).name not in ("node_modules", "instance", "tests")

    for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), methods, keywords=KEYWORDS, directory_filter=wanted):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _translated(catalog_dir: Path) -> set[str]:
    path = catalog_dir / "ru" / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return set()
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("root, methods, catalog_dir", [CORE, *PLUGINS],
                         ids=["core", *[package.name for package, _methods, _dir in PLUGINS]])
def test_every_message_has_a_russian_translation(root, methods, catalog_dir):
    missing = sorted(_source_messages(root, methods) - _translated(catalog_dir))
    assert missing == [], f"translate into {catalog_dir}/ru/LC_MESSAGES/messages.po: see expo/translations/README.md"


CATALOGS = sorted(path for path in ROOT.glob("**/translations/ru/LC_MESSAGES/messages.po")
                  if ".venv" not in path.parts and "node_modules" not in path.parts)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_catalog_is_marked_fuzzy(path):
    """pybabel compile skips a catalog whose header is fuzzy: every string of it would stay English."""
    with path.open("rb") as handle:
        assert not read_po(handle).fuzzy, f"remove '#, fuzzy' from the header of {path}"


def test_plugin_pages_speak_russian(make_app, make_user, login_as):
    """Each bundled plugin's catalog is compiled and merged: its nav label and page come out Russian."""
    app = make_app(LOCALE="ru")
    page = login_as(make_user("planner"), app)
    home = page.get("/").get_data(as_text=True)
    assert "Сегменты" in home and "Правила рейтинга" in home
    assert "Сегменты" in page.get("/segments/").get_data(as_text=True)
