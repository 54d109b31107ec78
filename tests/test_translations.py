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
