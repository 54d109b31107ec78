"""Company names compared the way people mean them.

``ООО «Ромашка»``, ``Ромашка ООО`` and ``"РОМАШКА"`` are one company: the import matches rows to
clients by this key (after the tax id and the e-mail), and any feature that looks for "the same
company" should use it too. The key drops legal forms (ООО, АО, ИП, ЗАО, ПАО, …, also spelled
out, and their Latin counterparts), quotes and punctuation, folds case and ё, and squeezes spaces.
"""
from __future__ import annotations

import re

# Short legal forms, matched as whole words anywhere in the name.
LEGAL_FORMS = ("ооо", "оао", "зао", "пао", "ао", "ип", "нко", "ано", "тоо", "чуп", "уп", "гуп", "муп", "фгуп",
               "нао", "одо", "llc", "ltd", "inc", "jsc", "gmbh", "ag", "plc", "corp", "co")
# Spelled-out forms, longest first so "закрытое акционерное общество" goes before "акционерное общество".
SPELLED_FORMS = sorted((
    "общество с ограниченной ответственностью", "публичное акционерное общество",
    "закрытое акционерное общество", "открытое акционерное общество", "непубличное акционерное общество",
    "акционерное общество", "индивидуальный предприниматель", "limited liability company",
), key=len, reverse=True)

_PUNCTUATION = re.compile(r"[\"'«»“”„‟‘’‚‹›`´.,;:!?()\[\]{}/\\|_*#№+=<>~^-]+")
_WORDS = re.compile(r"\b(?:" + "|".join(LEGAL_FORMS) + r")\b")
_SPACES = re.compile(r"\s+")


def name_key(name: str | None) -> str:
    """The normalised key of a company name ("" for a name made only of a legal form)."""
    text = (name or "").casefold().replace("ё", "е")
    for form in SPELLED_FORMS:
        text = text.replace(form, " ")
    text = _PUNCTUATION.sub(" ", text)
    text = _WORDS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
