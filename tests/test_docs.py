"""The documents cite only files and folders that exist in the repository."""
from __future__ import annotations

import re

import pytest

from expo import ROOT

DOCUMENTS = sorted([ROOT / "README.md", *ROOT.glob("docs/**/*.md"), *ROOT.glob("bench/*.md"),
                    *ROOT.glob("expo/**/*.md")])
TOP = ("expo/", "docs/", "tests/", "plugins/", "bench/", "scripts/", "templates/", "migrations/", ".ci/")
# `path/like.this` in code spans, and relative [links](like/this.md)
CODE_PATH = re.compile(r"`([\w./-]+)`")
LINK = re.compile(r"\]\(([^)#:]+)(?:#[^)]*)?\)")


def _cited(text: str) -> set[str]:
    found = {m for m in CODE_PATH.findall(text) if m.startswith(TOP) or re.search(r"\.(py|md|html|toml|sh|cfg)$", m)}
    found |= set(LINK.findall(text))
    return found


def _anywhere(cited: str) -> bool:
    """A path given relative to some folder (``expo_hello/views.py``), found in the repository."""
    return any(".venv" not in found.parts and "node_modules" not in found.parts
               for found in ROOT.glob(f"**/{cited.rstrip('/')}"))


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_cited_files_exist(document):
    missing = []
    for cited in _cited(document.read_text()):
        candidates = [ROOT / cited, document.parent / cited]
        if not any(c.exists() for c in candidates) and not _anywhere(cited):
            missing.append(cited)
    assert sorted(missing) == []
