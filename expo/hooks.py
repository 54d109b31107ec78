"""The public facade for plugins: everything a plugin imports from Expo lives here.

Plugins import nothing else from ``expo`` (tests add :mod:`expo.testing`), so the core can change
behind this module. docs/plugin-author-guide.md explains each group; the hooks themselves are
declared, with their contracts, in ``expo/core/hookspecs.py``.
"""
from __future__ import annotations

from types import SimpleNamespace

import pluggy
from flask_login import current_user

from expo.config import plugin_setting
from expo.core import clock, models, validation as fields
from expo.core.access import Actor, get_client, get_engagement, not_deleted, scope_clients, scope_engagements
from expo.core.db import commit, rollback, rows as db_rows, session as db_session
from expo.core.errors import Conflict, ExpoError, Forbidden, NotFound, ValidationError
from expo.core.hooktypes import (ApiDoc, ListColumn, ListFilter, NavItem, Panel, Permission, ReportSection,
                                 ScenarioTemplate, ScheduledJob)
from expo.core.jobs import enqueue_after_commit
from expo.core.models import SYSTEM
from expo.core.plugins import client_priority
from expo.core.services.activities import log_activity
from expo.core.services.audit import record as audit_record
from expo.core.services.clients import assign_manager, create_client, update_client
from expo.core.services.engagements import assign_engagement, open_engagement, update_engagement
from expo.core.services.notifications import notify, people_for
from expo.core.services.tasks import create_task
from expo.web.api import api_blueprint
from expo.web.api import openapi as _openapi
from expo.web.api.common import api_user, body as json_body, listing as api_list, paging as api_paging
from expo.core.queries.people import assignable_users
from expo.core.reports.periods import bounds as period_bounds
from expo.core.reports.sections import client_condition as report_client_condition
from expo.web.pages import (csv_download, form_data, inline_form, page_or_fragment, protected_blueprint,
                            redirect_after_post, save_form)

hookimpl = pluggy.HookimplMarker("expo")


def now():
    """The current UTC time from the core's clock (tests stop it with ``frozen_clock``)."""
    return clock.now()


def today():
    """The firm's today (EXPO_TIMEZONE), from the same clock."""
    return clock.today()


def users_with_role(role: str) -> list[models.User]:
    """Every active user of ``role`` (``"planner"``, ``"admin"``, …), e.g. to ``notify`` them."""
    return people_for(role, None)


# Helpers to describe a plugin's API in register_api_docs, the same way the core describes its own.
openapi = SimpleNamespace(
    op=_openapi.op, obj=_openapi.obj, ref=_openapi.ref, json=_openapi._json, list_of=_openapi._list_of,
    param=_openapi._param, path_id=_openapi._path_id, STR=_openapi.STR, NSTR=_openapi.NSTR, INT=_openapi.INT,
    NINT=_openapi.NINT, MONEY=_openapi.MONEY, DATE=_openapi.DATE, TIME=_openapi.TIME,
    BOOL=_openapi.BOOL, ID=_openapi.ID, line=_openapi.line, text=_openapi.text, ref_id=_openapi.ref_id,
    WRITE_ERRORS=_openapi.WRITE, CREATE_ERRORS=_openapi.CREATE, LIST_ERRORS=_openapi.LIST, PAGING=_openapi.PAGING,
)

__all__ = [
    # declaring hooks, and what they return
    "hookimpl", "ApiDoc", "ListColumn", "ListFilter", "NavItem", "Panel", "Permission", "ReportSection", "ScenarioTemplate",
    "ScheduledJob",
    # data: the core's models, the session and its transaction (db_rows: a read's plain rows, without the
    # ORM's cost per statement), the visibility rules every view applies
    "models", "db_session", "db_rows", "commit", "rollback", "get_client", "get_engagement", "scope_clients",
    "scope_engagements", "not_deleted",
    # who acts: the logged-in user, the actor of jobs and commands
    "current_user", "SYSTEM", "Actor",
    # changing core data: the core's services (they validate, audit and fire hooks, as for the core's pages)
    "create_client", "update_client", "assign_manager", "open_engagement", "update_engagement",
    "assign_engagement", "log_activity", "create_task", "notify", "users_with_role", "assignable_users", "audit_record",
    # asking the other plugins
    "client_priority",
    # input and errors: the validation rules, and errors that become a form message or a JSON 4xx
    "fields", "ExpoError", "ValidationError", "NotFound", "Forbidden", "Conflict",
    # pages: a login-protected blueprint, page-or-fragment, forms, redirect after POST
    "protected_blueprint", "page_or_fragment", "form_data", "save_form", "inline_form", "redirect_after_post",
    "csv_download",
    # the JSON API: a bearer-token blueprint at /api/v1/<plugin>, the caller, the body, lists, docs
    "api_blueprint", "api_user", "json_body", "api_list", "api_paging", "openapi",
    # time (the firm's "today"), settings, and side effects after the transaction commits
    "now", "today", "plugin_setting", "enqueue_after_commit",
    # reports: a period's (YYYY-MM) first and last instant, as the core's sections count them, and the
    # condition on Client of the report's client filters (a plugin's list filter picked for the report)
    "period_bounds", "report_client_condition",
]
