"""The report section: top clients by total, the biggest moves in the period, the rule set."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from expo.hooks import ReportSection, period_bounds
from expo_ratings import queries, rules as rule_set


def render(period: str, filters: dict) -> str:
    start, end = period_bounds(period)
    return Markup(render_template(
        "ratings/_report.html", top=queries.top_clients(filters), moves=queries.biggest_moves(start, end, filters),
        rules=rule_set.current_rules(), in_exhibition=bool(filters.get("exhibition_id"))))


def sections() -> list[ReportSection]:
    return [ReportSection("ratings-clients", str(_l("Client ratings")), render)]
