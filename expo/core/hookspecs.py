"""Every hook Expo fires or asks, declared once, grouped by when it runs.

Plugins implement these with ``@hookimpl`` from :mod:`expo.hooks` and are always called with
keyword arguments. Each docstring says when the hook fires, what it gets and what it returns.

Four groups, in the order of an application's life:

- **Registries** (``register_*``): what a plugin adds — blueprints, rights, commands, scenario
  templates, report sections, scheduled jobs, API documentation. An exception here fails loudly
  (start-up, or the command that asked): a broken plugin is noticed at once.
- **Lifecycle events** (past tense): fired by core services *inside* their transaction; raising
  rolls the change back. Side effects (mail, jobs) belong in ``enqueue_after_commit``.
- **UI slots** (nouns): asked while a page is rendered, collected safely — one plugin's exception
  is logged with its name and the page goes on without that plugin's part.
- **Questions** to plugins whose answers the core combines (``client_priority``).

``user`` is always the acting ``User``, or ``expo.hooks.SYSTEM`` for jobs and commands.
"""
from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("expo")


# --- Registries: what a plugin adds; exceptions propagate -----------------------------------


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


@hookspec
def register_report_sections():
    """Offer sections for reports. Asked whenever a report is offered, previewed or generated
    (pages, API, PDF jobs, scheduled mailings).

    Returns a list of ``ReportSection(key, title, render)``; ``render(period, filters)`` returns an
    HTML fragment, used for the preview and the PDF. ``period`` is ``YYYY-MM``; ``filters`` may hold
    ``exhibition_id`` and ``manager_id``. Keys are ``<plugin>-<section>``.
    """


@hookspec
def register_scheduled_jobs():
    """Declare recurring work. Asked when the scheduler starts (``expo scheduler``, ``expo run``).

    Returns a list of ``ScheduledJob(key, cron, func)``: ``func`` is an importable
    ``"module:function"`` path run as a job (no arguments, as ``SYSTEM``) at each ``cron`` time.
    Jobs must be idempotent: a restarted scheduler may run one again.
    """


@hookspec
def register_api_docs():
    """Describe the plugin's JSON API routes for ``/api/v1/openapi.json``. Asked when the
    document is served.

    Returns a list of ``ApiDoc(paths, schemas)``: OpenAPI path items keyed by their path relative
    to ``/api/v1`` (``"/ratings/rules"``) and component schemas. Every route of a blueprint made
    with ``api_blueprint`` must be described (a test checks it).
    """


# --- Client lifecycle: fired by core services inside their transaction ------------------------


@hookspec
def client_created(client, user):
    """A client was created. Fires once, after the row is flushed (``client.id`` is set).

    Gets the ``Client`` and the acting ``user``. Returns nothing.
    """


@hookspec
def client_updated(client, changes, user):
    """A client's fields changed. Fires once per save that changed something.

    ``changes`` maps each changed field to ``(old, new)``; a change of manager fires
    ``client_assigned`` instead of appearing here. Returns nothing.
    """


@hookspec
def client_deleted(client_id, name, user):
    """A client and everything hanging off it is being deleted for good. Fires before the row goes.

    Deleting a client first only hides it (soft deletion: an administrator can restore it); this
    fires when the scheduled purge removes it, ``CLIENT_PURGE_DAYS`` later, with ``user`` = SYSTEM.
    Gets the deleted client's ``client_id`` and ``name``; plugins drop or anonymise their own
    rows about it here. Returns nothing.
    """


@hookspec
def import_committed(import_id, kind, counts, user):
    """An import of the client base was committed. Fires once per import, inside its transaction,
    after every row is written (each new client has fired ``client_created`` already).

    ``kind`` is ``"clients"`` or ``"sales"``; ``counts`` maps ``new``, ``update``, ``duplicate``
    and ``invalid`` to numbers of rows. Plugins whose numbers depend on the base (categories,
    classifications) queue their recomputation here with ``enqueue_after_commit``. Returns nothing.
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
def engagement_reopened(engagement, previous_result, previous_kind, user):
    """A closed engagement was opened again (planners and admins do this). Fires once per reopen.

    Gets the result key it had (``previous_result``) and that result's kind (``won``, ``lost``
    or ``declined``); ``engagement.state`` is ``open`` again and ``result`` / ``closed_at`` are
    cleared. Fires before the ``step_entered`` of the step it returns to. Undo here whatever you
    did on ``engagement_closed``. Returns nothing.
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
    """Extra columns for a list page, asked each time the list is rendered.

    ``list_name`` says which list and which model the expression must correlate to:
    ``"clients"`` (the client list, ``Client``), ``"engagements"`` (an exhibition's engagements,
    list and board, ``Engagement``) or ``"tasks"`` (My tasks, ``Task``).
    Returns a list of ``ListColumn(key, label, expression, default_sort=None, joins=())`` where
    ``expression`` is an SQLAlchemy scalar expression correlated to that model (e.g. a scalar
    subquery on ``Client.id``), or reading the tables named in ``joins`` — ``(target, onclause)``
    pairs the list LEFT OUTER JOINs, each matching at most one row per list row. The list
    selects it, shows it and sorts by it, all in SQL; ``default_sort`` makes it the order when
    the user picked none. Return nothing for lists you do not extend.
    """


@hookspec
def list_filters(list_name, user):
    """Extra filters for a list page, asked each time the list is read (page, export, API).

    Only ``"clients"`` (the client list, ``Client``) asks for now. Returns a list of
    ``ListFilter(key, label, choices, condition)``: the page shows a drop-down of ``choices``;
    ``?key=value`` keeps the rows where ``condition(value)`` holds, in SQL. An unknown value is
    refused (422) naming the filter. Reports and report subscriptions offer the client list's
    filters too (asked with ``user=SYSTEM``): the core's sections keep the picked clients, a
    plugin's section reads the condition with ``expo.hooks.report_client_condition(filters)``.
    Return nothing for lists you do not filter.
    """


@hookspec
def dashboard_widgets(user):
    """Widgets on the start page. Returns a list of ``Panel(key, title, url)`` loaded by HTMX."""


# --- Questions: the core combines every plugin's answer -----------------------------------------


@hookspec
def client_priority(client_ids):
    """How much each client matters, for ranking lists of candidates (e.g. planning's
    replacement clients). Asked with a list of client ids; collected safely.

    Returns ``{client_id: number}`` for the clients the plugin has an opinion on (others may be
    left out). The core sums the answers of every plugin per client (missing = 0), so one plugin
    can rank clients for another without either importing the other.
    """
