"""Template helpers of the funnel, in Python (a page shows a hundred numbers; Jinja macros cost
ten times as much per call): a rate as a percentage, a number linked to its drill-down."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from flask import g, url_for
from markupsafe import Markup, escape


def pct(rate: Decimal | None) -> str:
    """``0.2500`` → ``25.0 %``; ``—`` when there was nothing to divide by."""
    return "—" if rate is None else f"{rate * 100:.1f} %"


def drill(sel, number, kind: str, step: str | None = None, result: str | None = None, links: bool = True):
    """``number`` as a link to the engagements behind it (not linked when zero or ``links`` is off)."""
    if not (links and number):
        return escape(number)
    args = {**_args_of(sel), "kind": kind, **({"step": step} if step else {}), **({"result": result} if result else {})}
    return Markup('<a href="{}">{}</a>').format(f"{_base()}?{urlencode(args)}", number)


def _base() -> str:
    if "funnel_drill_base" not in g:  # one url_for per page, not one per number
        g.funnel_drill_base = url_for("funnel.engagements_page")
    return g.funnel_drill_base


def _args_of(sel) -> dict:
    cache = g.setdefault("funnel_drill_args", {})  # by identity: a selection may hold a SQL condition
    if id(sel) not in cache or cache[id(sel)][0] is not sel:
        cache[id(sel)] = (sel, sel.as_args())
    return cache[id(sel)][1]
