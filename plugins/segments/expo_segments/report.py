"""The report section: the ABC/XYZ matrix of the 12 months ending with the report's month, and the
reactivation list (the longest overdue first)."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from sqlalchemy import and_

from expo.hooks import SYSTEM, models, report_client_condition
from expo_segments import queries

REACTIVATION_ROWS = 30


def _clients_of(filters: dict):
    """The report's narrowing as a condition on ``Client``: its manager's clients, and the clients
    its client filters pick (an exhibition does not narrow a client base analysis)."""
    conditions = [report_client_condition(filters)]
    if filters.get("manager_id"):
        conditions.append(models.Client.manager_id == filters["manager_id"])
    conditions = [c for c in conditions if c is not None]
    return and_(*conditions) if conditions else None


def render(period: str, filters: dict) -> str:
    window, thresholds = queries.Period.ending(period, 12), queries.Thresholds.from_settings()
    where = _clients_of(filters)
    rows, total = queries.reactivation(SYSTEM, REACTIVATION_ROWS, where=where)
    return Markup(render_template("segments/_report.html", period=window, thresholds=thresholds,
                                  cells=queries.matrix(SYSTEM, window, thresholds, where=where), rows=rows,
                                  total=total))
