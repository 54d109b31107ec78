"""Every user-visible string has a Russian translation (Russian is the default interface)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from expo import ROOT

CATALOG = ROOT / "expo" / "translations" / "ru" / "LC_MESSAGES" / "messages.po"
METHODS = [("expo/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def _source_messages() -> set[str]:
    found = set()
    # Babel skips folders starting with "_" by default; templates/_partials must be read too.
    def wanted(path: str) -> bool:
        return not Path(path).name.startswith(".") and Path(path).name not in ("node_modules", "instance")

    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS, directory_filter=wanted):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_has_a_russian_translation():
    with Path(CATALOG).open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and m.string and not m.fuzzy}
    missing = sorted(_source_messages() - translated)
    assert missing == [], "run pybabel extract/update and translate: see expo/translations/README.md"
