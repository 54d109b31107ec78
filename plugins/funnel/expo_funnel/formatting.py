"""Template helpers of the funnel, in Python (a page shows a hundred numbers; Jinja macros cost
ten times as much per call): a rate as a percentage, a number linked to its drill-down."""
from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from urllib.parse import quote_plus, urlencode

from flask import g, url_for
from markupsafe import Markup, escape


def pct(rate: Decimal | None) -> str:
    """``0.2500`` → ``25.0 %``; ``—`` when there was nothing to divide by."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def drill(sel, number, kind: str, step: str | None = None, result: str | None = None, links: bool = True):
    """``number`` as a link to the engagements behind it (not linked when zero or ``links`` is off)."""
    if not (links and number):
        return escape(number)
    query = f"kind={_quoted(kind)}"
    if step:
        query += f"&step={_quoted(step)}"
    if result:
        query += f"&result={_quoted(result)}"
    # f-strings over escaped parts: ``Markup.format`` costs ten times as much, a hundred times a page
    return Markup(f'<a href="{escape(_prefix(sel) + query)}">{escape(number)}</a>')


@lru_cache(maxsize=4096)
def _quoted(value: str) -> str:
    """A query-string value, as ``urlencode`` writes it (a page repeats a few step and result keys)."""
    return quote_plus(str(value))


def _prefix(sel) -> str:
    """``/funnel/engagements?<the selection's filters>&``, made once per selection and page (a
    page links a hundred numbers of the same selection)."""
    cache = g.setdefault("funnel_drill_prefix", {})  # by identity: a selection may hold a SQL condition
    found = cache.get(id(sel))
    if found is None or found[0] is not sel:
        args = urlencode(sel.as_args())
        found = cache[id(sel)] = (sel, f"{url_for('funnel.engagements_page')}?{args}{'&' if args else ''}")
    return found[1]


def options(rows, selected: str | None, value: str | None = "id", label: str = "name") -> Markup:
    """The ``<option>``s of a drop-down (a filter lists every exhibition and person: in Python, as
    ``drill``): each row's ``value`` attribute as the value (None: the row itself is value and
    label), its ``label`` attribute as the text; the one equal to ``selected`` selected."""
    parts = []
    for row in rows:
        shown = row if value is None else getattr(row, label)
        key = row if value is None else getattr(row, value)
        mark = " selected" if selected is not None and str(key) == selected else ""
        if value is None:
            parts.append(f"<option{mark}>{escape(shown)}</option>")
        else:
            parts.append(f'<option value="{escape(key)}"{mark}>{escape(shown)}</option>')
    return Markup("".join(parts))
