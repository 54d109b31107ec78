"""The ``funnel`` plugin: where and why clients drop, per scenario, exhibition and manager.

Per step of a scenario, how many engagements entered it, passed it, dropped at it and are on it
now; the results and refusal reasons with the step they happened at; the weakest step;
conversion by count and by money, and by month of closing; the managers' cross-statistics with
the steps where a manager loses significantly more clients than the team. Pages at /funnel,
an API at /api/v1/funnel, two report sections, a start-page widget. Everything is counted from
the core's step log and engagements; the plugin's tables (``models``) are counts of them per
scenario version, exhibition and manager, recomputed here whenever an engagement changes. Only
``@hookimpl`` functions live here: they delegate to ``views``, ``api``, ``report`` and ``counts``.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from expo.hooks import ApiDoc, NavItem, Panel, ReportSection, ScheduledJob, enqueue_after_commit, hookimpl
from expo_funnel import counts


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


@hookimpl
def register_commands(cli):
    from expo_funnel.commands import funnel_group

    cli.add_command(funnel_group)


@hookimpl
def register_scheduled_jobs():
    return [ScheduledJob("funnel-rebuild", "40 2 * * *", "expo_funnel.jobs:rebuild_all")]


# --- the count tables follow every change of an engagement (its key: scenario, exhibition, manager)


@hookimpl
def step_entered(engagement):
    # Also the end of opening and of reopening (both enter a step), so those need no hook here.
    counts.touch(counts.key_of(engagement))


@hookimpl
def engagement_closed(engagement):
    counts.touch(counts.key_of(engagement))


@hookimpl
def amounts_changed(engagement):
    counts.touch(counts.key_of(engagement))


@hookimpl
def engagement_assigned(engagement, old_manager_id):
    counts.touch(counts.key_of(engagement), counts.key_of(engagement, old_manager_id))


@hookimpl
def client_deleted(client_id):
    # Fires before the purge removes the rows: count the keys again once they are gone.
    from expo.hooks import db_session

    keys = counts.keys_of_client(db_session().execute, client_id)
    if keys:
        enqueue_after_commit("expo_funnel.jobs:recount", keys=[list(key) for key in keys])
