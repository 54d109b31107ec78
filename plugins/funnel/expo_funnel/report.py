"""The report sections: the funnel (chart, steps, reasons, conversion by month) and the managers
(their table and the steps where one loses significantly more than the team).

A report names a month; a sales cycle runs longer, so both sections count the engagements opened
in the twelve months ending with it, of the default scenario, narrowed by the report's
exhibition, manager and client filters.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask import render_template
from markupsafe import Markup

from expo.hooks import SYSTEM, report_client_condition
from expo_funnel import chart, queries
from expo_funnel.managers import Test, managers, matrix
from expo_funnel.selection import Selection

MONTHS = 12


def _selection(period: str, filters: dict) -> Selection:
    """The twelve months ending with ``period`` (YYYY-MM), as days of the firm's calendar."""
    year, month = int(period[:4]), int(period[5:])
    first = year * 12 + month - MONTHS  # months since year 0, the window's first
    last_day = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    args = {key: str(filters[key]) for key in ("exhibition_id", "manager_id") if filters.get(key)}
    return Selection.from_args(args, SYSTEM).but(period_from=date(first // 12, first % 12 + 1, 1), period_to=last_day,
                                                 client_condition=report_client_condition(filters))


def render_funnel(period: str, filters: dict) -> str:
    sel = _selection(period, filters)
    return Markup(render_template("funnel/_report.html", funnel=queries.funnel(sel), sel=sel, chart=chart))


def render_managers(period: str, filters: dict) -> str:
    sel, test = _selection(period, filters), Test.from_settings()
    titles, cells = matrix(sel, test)
    return Markup(render_template("funnel/_report_managers.html", rows=managers(sel), titles=titles, cells=cells,
                                  test=test, sel=sel))
