"""Every hook Expo fires or asks, declared once, grouped by when it runs.

Plugins implement these with ``@hookimpl`` from :mod:`expo.hooks` and are always called with
keyword arguments. Each docstring says when the hook fires, what it gets and what it returns.

Lifecycle hooks run *inside* the core service's transaction: raising rolls the change back.
Side effects (mail, jobs) belong in ``enqueue_after_commit``. UI-slot hooks are collected
safely: one plugin's exception is logged with its name and the page goes on without it.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("expo")


# --- Start-up: called once while create_app() builds the application ---------------------------


@hookspec
def register_blueprints(app):
    """Add Flask blueprints. Fires once in ``create_app``, after the core blueprints.

    Gets the Flask ``app``. Returns a list of ``flask.Blueprint``; name each after the plugin
    (``ratings``) and mount it under ``/<plugin>``. Its pages are gone (404) when the plugin is
    disabled, because the blueprint is then never registered.
    """


@hookspec
def register_permissions():
    """Declare rights an admin can grant beyond the roles. Asked whenever the list of rights is
    needed (granting one, the users page).

    Returns a list of ``Permission(key, label)``; keys are ``<plugin>.<right>``.
    """


@hookspec
def register_commands(cli):
    """Add commands to the ``expo`` command line. Fires when the CLI group is built.

    Gets the click group ``cli``; call ``cli.command()`` / ``cli.add_command()`` on it.
    Returns nothing.
    """


@hookspec
def register_scenario_templates():
    """Offer ready-made scenarios. Asked when the scenario editor lists templates.

    Returns a list of ``ScenarioTemplate(key, title, definition)`` where ``definition`` is the
    scenario JSON of DESIGN.md.
    """


# --- Client lifecycle: fired by core services inside their transaction ------------------------


@hookspec
def client_created(client, user):
    """A client was created. Fires once, after the row is flushed (``client.id`` is set).

    Gets the ``Client`` and the acting ``User`` (``None`` for system work). Returns nothing.
    """


@hookspec
def client_updated(client, changes, user):
    """A client's fields changed. Fires once per save that changed something.

    ``changes`` maps each changed field to ``(old, new)``; a change of manager fires
    ``client_assigned`` instead of appearing here. Returns nothing.
    """


@hookspec
def client_deleted(client_id, name, user):
    """A client and everything hanging off it is being deleted. Fires before the row goes.

    Gets the deleted client's ``client_id`` and ``name``; plugins drop or anonymise their own
    rows about it here. Returns nothing.
    """


@hookspec
def client_assigned(client, old_manager_id, new_manager_id, user):
    """A client was handed to another client-manager (or unassigned: ``new_manager_id=None``).

    Fires once per change of ``Client.manager_id``, including the first assignment at creation.
    Returns nothing.
    """


@hookspec
def engagement_opened(engagement, user):
    """Work with a client for an exhibition began. Fires once per new ``Engagement``.

    Fires before any ``step_entered`` of that engagement. Returns nothing.
    """


@hookspec
def engagement_assigned(engagement, old_manager_id, new_manager_id, user):
    """An engagement was handed to another client-manager. Fires once per change. Returns nothing."""


@hookspec
def step_entered(engagement, step, user):
    """An engagement entered scenario step ``step`` (its key). Fires once per entry.

    ``engagement.step`` already equals ``step``. Returns nothing.
    """


@hookspec
def step_completed(engagement, step, outcome, user):
    """An engagement left step ``step`` through outcome ``outcome`` (both keys).

    Fires once per exit, before the ``step_entered`` of the next step or the
    ``engagement_closed`` of the result. Returns nothing.
    """


@hookspec
def engagement_closed(engagement, result, kind, user):
    """An engagement reached a result. Fires once per closing.

    Gets the ``result`` key and its ``kind`` (``won``, ``lost`` or ``declined``);
    ``engagement.state`` equals ``kind`` and ``engagement.closed_at`` is set. Returns nothing.
    """


@hookspec
def amounts_changed(engagement, changes, user):
    """An engagement's money changed. Fires once per save that changed an amount.

    ``changes`` maps ``expected_amount`` / ``contract_amount`` to ``(old, new)`` Decimals or None.
    Returns nothing.
    """


# --- UI slots: asked while a page is rendered; collected safely -------------------------------


@hookspec
def nav_items(user):
    """Entries for the main navigation, asked on every full page for the logged-in ``user``.

    Returns a list of ``NavItem(key, label, endpoint)``; return nothing for users who may not
    see the page.
    """


@hookspec
def client_card_panels(client, user):
    """Panels on a client's card. Returns a list of ``Panel(key, title, url)``.

    The card loads each ``url`` as an HTMX fragment (a plain link without JavaScript) and reloads
    it when an ``expo:changed`` event fires, so panels refresh without knowing each other.
    """


@hookspec
def engagement_panels(engagement, user):
    """Panels on an engagement page. Returns a list of ``Panel(key, title, url)`` (as above)."""


@hookspec
def list_columns(list_name, user):
    """Extra columns for a list page; ``list_name`` is ``"clients"`` for the client list.

    Returns a list of ``ListColumn(key, label, expression)`` where ``expression`` is an
    SQLAlchemy scalar expression correlated to the list's model (e.g. a scalar subquery on
    ``Client.id``). The list selects it, shows it and sorts by it, all in SQL.
    """


@hookspec
def dashboard_widgets(user):
    """Widgets on the start page. Returns a list of ``Panel(key, title, url)`` loaded by HTMX."""


@hookspec
def report_sections():
    """Sections a report can include. Returns a list of ``ReportSection(key, title, render)``.

    ``render(period, filters)`` returns an HTML fragment (used for the page and the PDF).
    """


@hookspec
def scheduled_jobs():
    """Recurring work. Asked when the scheduler starts.

    Returns a list of ``ScheduledJob(key, cron, func)``: ``func`` is an importable
    ``"module:function"`` path run as a job at each ``cron`` time.
    """
