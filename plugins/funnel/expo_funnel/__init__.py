"""The ``funnel`` plugin: where and why clients drop, per scenario, exhibition and manager.

Per step of a scenario, how many engagements entered it, passed it, dropped at it and are on it
now; the results and refusal reasons with the step they happened at; the weakest step;
conversion by count and by money, and by month of closing; the managers' cross-statistics with
the steps where a manager loses significantly more clients than the team. Pages at /funnel,
an API at /api/v1/funnel, two report sections, a start-page widget. Everything is counted from
the core's step log and engagements (no tables of its own). Only ``@hookimpl`` functions live
here: they delegate to ``views``, ``api`` and ``report``.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from expo.hooks import ApiDoc, NavItem, Panel, ReportSection, hookimpl


@hookimpl
def register_blueprints(app):
    from expo_funnel.api import api
    from expo_funnel.views import bp

    return [bp, api]


@hookimpl
def nav_items(user):
    if not user.can_assign:  # planners and admins; a manager reaches their own funnel from the start page
        return None
    return [NavItem("funnel", _l("Funnel"), "funnel.index", order=40),
            NavItem("funnel-managers", _l("Managers"), "funnel.managers_page", order=41)]


@hookimpl
def dashboard_widgets(user):
    return [Panel("funnel-month", _l("This month's funnel"), url_for("funnel.widget"))]


@hookimpl
def register_report_sections():
    from expo_funnel.report import render_funnel, render_managers

    return [ReportSection("funnel-steps", str(_l("Funnel: steps, reasons, conversion")), render_funnel),
            ReportSection("funnel-managers", str(_l("Funnel: managers")), render_managers)]


@hookimpl
def register_api_docs():
    from expo_funnel.api import docs

    paths, schemas = docs()
    return [ApiDoc(paths=paths, schemas=schemas)]
