"""The ``planning`` plugin: client-by-client budgets — planned, refined, actual — per period.

Planners distribute an exhibition's clients among the managers (``distribution``) and plan each
engagement's budget for a month; managers refine it during negotiation; a won engagement's
contract amount is its actual. Per period, manager and exhibition the plugin compares plan and
fact and learns the planning error; from the error it recommends how much to plan for a target;
when a planned client refuses, it tells the planners and proposes replacements (``candidates``).
Pages at /planning, an API at /api/v1/planning, three report sections. Only ``@hookimpl``
functions live here: they delegate to ``views``, ``api``, ``report``, ``services`` and
``candidates``. docs/decisions/0020-planning.md says why it is built this way.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from expo.hooks import ApiDoc, NavItem, Panel, ReportSection, ScheduledJob, hookimpl


@hookimpl
def register_blueprints(app):
    from expo_planning.api import api
    from expo_planning.views import bp

    return [bp, api]


@hookimpl
def nav_items(user):
    if not user.sees_all_clients:  # planners, admins, viewers; managers refine from the engagement page
        return None
    return [NavItem("planning", _l("Planning"), "planning.index", order=50)]


@hookimpl
def engagement_panels(engagement, user):
    return [Panel("planning-budget", _l("Budget"), url_for("planning.budget_panel", engagement_id=engagement.id))]


@hookimpl
def register_report_sections():
    from expo_planning import report

    return [ReportSection("planning-plan-fact", str(_l("Planning: plan vs fact")), report.render_plan_fact),
            ReportSection("planning-error-trend", str(_l("Planning: error trend")), report.render_error_trend),
            ReportSection("planning-gap", str(_l("Planning: gap and replenishment")), report.render_gap)]


@hookimpl
def register_api_docs():
    from expo_planning.api import docs

    paths, schemas = docs()
    return [ApiDoc(paths=paths, schemas=schemas)]


@hookimpl
def register_commands(cli):
    from expo_planning.commands import planning_group

    cli.add_command(planning_group)


@hookimpl
def register_scheduled_jobs():
    return [ScheduledJob("planning-resync", "50 2 * * *", "expo_planning.jobs:resync_all")]


# --- a budget's copies of its engagement follow every change ----------------------------------


@hookimpl
def amounts_changed(engagement, changes, user):
    from expo_planning import services

    services.record_actual(engagement, changes, user)


@hookimpl
def engagement_closed(engagement, kind):
    from expo_planning import candidates, services

    services.sync(engagement)
    candidates.tell_planners_of_refusal(engagement, kind)


@hookimpl
def engagement_reopened(engagement):
    from expo_planning import services

    services.sync(engagement)


@hookimpl
def engagement_assigned(engagement):
    from expo_planning import services

    services.sync(engagement)


@hookimpl
def client_deleted(client_id):
    # Fires before the purge removes the rows (the budgets go with the engagements): count the
    # client's months again once they are gone.
    from expo.hooks import enqueue_after_commit
    from expo_planning import months

    periods = months.periods_of_client(client_id)
    if periods:
        enqueue_after_commit("expo_planning.months:recount_job", periods=periods)
