"""The report section: the ABC/XYZ matrix of the 12 months ending with the report's month, and the
reactivation list (the longest overdue first)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from expo.hooks import SYSTEM
from expo_segments import queries

REACTIVATION_ROWS = 30


def render(period: str, filters: dict) -> str:
    window, thresholds = queries.Period.ending(period, 12), queries.Thresholds.from_settings()
    rows, total = queries.reactivation(SYSTEM, REACTIVATION_ROWS)
    return Markup(render_template("segments/_report.html", period=window, thresholds=thresholds,
                                  cells=queries.matrix(SYSTEM, window, thresholds), rows=rows, total=total))
