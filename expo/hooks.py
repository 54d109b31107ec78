"""The public facade for plugins: everything a plugin imports from Expo lives here.

Plugins import nothing else from ``expo``, so the core can change behind this module.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import pluggy

from expo.core import models
from expo.core.access import get_client, get_engagement, scope_clients, scope_engagements
from expo.core.db import session as db_session
from expo.core.jobs import enqueue_after_commit

hookimpl = pluggy.HookimplMarker("expo")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    endpoint: str
    order: int = 100


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    url: str


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str
    expression: Any  # an SQLAlchemy scalar expression


@dataclass(frozen=True)
class Permission:
    key: str
    label: str


@dataclass(frozen=True)
class ReportSection:
    key: str
    title: str
    render: Callable[..., str]


@dataclass(frozen=True)
class ScheduledJob:
    key: str
    cron: str
    func: str


@dataclass(frozen=True)
class ScenarioTemplate:
    key: str
    title: str
    definition: dict = field(default_factory=dict)


__all__ = [
    # declaring hooks and what they return
    "hookimpl", "ListColumn", "NavItem", "Panel", "Permission", "ReportSection", "ScenarioTemplate",
    "ScheduledJob",
    # data: the core's models, the current session, and the visibility rules plugin views must apply
    "models", "db_session", "get_client", "get_engagement", "scope_clients", "scope_engagements",
    # side effects after the transaction commits
    "enqueue_after_commit",
]
