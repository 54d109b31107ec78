"""The funnel's tables as rows (a header, then values): what the CSV downloads hold, the same
numbers as the pages show. Rates are decimal fractions (0.2500), as the API gives them."""
from __future__ import annotations

from typing import Iterator

from flask_babel import gettext as _

from expo_funnel import queries
from expo_funnel.managers import Test, managers, matrix
from expo_funnel.selection import Selection

TABLES = ("steps", "results", "reasons", "trend", "managers", "matrix")


def rows(name: str, sel: Selection) -> Iterator[list]:
    return {"steps": _steps, "results": _results, "reasons": _reasons, "trend": _trend, "managers": _managers,
            "matrix": _matrix}[name](sel)


def _steps(sel):
    yield [_("Step"), _("Entered"), _("Passed"), _("Dropped"), _("In progress"), _("Drop rate")]
    for c in queries.steps(sel):
        yield [c.title, c.entered, c.passed, c.dropped, c.in_progress, c.drop_rate]


def _results(sel):
    by_step = queries.results(sel)
    totals = queries.results_by_key(by_step)
    closed = sum(r.count for r in totals)
    yield [_("Result"), _("Kind"), _("Reason"), _("Engagements"), _("Share")]
    for r in totals:
        yield [r.title, r.kind, r.reason, r.count, queries.rate(r.count, closed)]


def _reasons(sel):
    titles = dict(queries.step_titles(sel))
    found = queries.reasons(queries.results(sel))
    dropped = sum(r.count for r in found)
    yield [_("Result"), _("Reason"), _("Step"), _("Engagements"), _("Share")]
    for r in found:
        yield [r.title, r.reason, titles.get(r.step, r.step), r.count, queries.rate(r.count, dropped)]


def _trend(sel):
    yield [_("Month"), _("Closed"), _("Won"), _("Conversion by count"), _("Won amount"), _("Expected amount"),
           _("Conversion by money")]
    for m in queries.trend(queries.by_month_of_closing(sel)):
        yield [m.month, m.closed, m.won, m.count, m.won_amount, m.expected_amount, m.financial]


def _managers(sel):
    yield [_("Manager"), _("Worked"), _("Closed"), _("Won"), _("Conversion by count"), _("Conversion by money"),
           _("Won amount"), _("Average days to result")]
    for r in managers(sel):
        yield [r.name, r.worked, r.closed, r.won, r.conversion_count, r.conversion_financial, r.won_amount,
               r.avg_cycle_days]


def _matrix(sel):
    titles, cells = matrix(sel, Test.from_settings())
    names = {r.manager_id: r.name for r in managers(sel)}
    yield [_("Manager"), _("Step"), _("Decided"), _("Dropped"), _("Drop rate"), _("Significantly worse")]
    for manager_id in names:
        for key, title in titles:
            cell = cells.get((manager_id, key))
            if cell is not None:
                yield [names[manager_id], title, cell.counts.decided, cell.counts.dropped, cell.counts.drop_rate,
                       _("yes") if cell.flagged else ""]
