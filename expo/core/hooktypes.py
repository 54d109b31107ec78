"""What hooks return: small frozen dataclasses shared by the core and plugins.

They live in the core (the core builds and reads them); :mod:`expo.hooks` re-exports them for
plugins, so no core module ever imports the plugin facade.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation; the link is ``url_for(endpoint)``."""

    key: str
    label: str
    endpoint: str
    order: int = 100


@dataclass(frozen=True)
class Panel:
    """A fragment a page loads with HTMX from ``url`` (a plain link without JavaScript)."""

    key: str
    title: str
    url: str


@dataclass(frozen=True)
class ListColumn:
    """An extra column of a list page, shown and sorted by in SQL.

    ``expression`` is an SQLAlchemy scalar expression correlated to the list's model (``Client``
    for ``"clients"``, ``Engagement`` for ``"engagements"``, ``Task`` for ``"tasks"``).
    ``default_sort`` (``"asc"`` or ``"desc"``) makes it the list's order when the user picked
    none; the first such column wins, in plugin order.
    ``joins``: ``(target, onclause)`` pairs the list LEFT OUTER JOINs before selecting, so the
    expression can read a joined row instead of running a subquery per row (much faster to sort
    a long list). Each target must match at most one row per list row (a table keyed by the
    model's id), aliased with ``sqlalchemy.orm.aliased`` so two plugins never clash.
    ``nullable``: whether the expression can be NULL. The client list pages its rows by keyset
    and reads the blanks as a second range after the values (docs/decisions/0023-keyset-paging.md);
    say ``False`` for an expression that never is (a ``coalesce``) and a page never needs it.
    """

    key: str
    label: str
    expression: Any
    default_sort: Literal["asc", "desc"] | None = None
    joins: tuple = ()
    nullable: bool = True


@dataclass(frozen=True)
class ListFilter:
    """A drop-down filter a plugin adds to a list page (and to the list's export and API).

    ``choices`` are ``(value, label)`` pairs; the URL parameter ``key`` picks one, and the list
    keeps the rows where ``condition(value)`` holds — an SQLAlchemy boolean expression correlated
    to the list's model (``Client`` for ``"clients"``). Keys must not clash with the core's filters.
    """

    key: str
    label: str
    choices: tuple
    condition: Callable[[str], Any]


@dataclass(frozen=True)
class Permission:
    """A right beyond the roles; ``key`` is ``<plugin>.<right>``."""

    key: str
    label: str


@dataclass(frozen=True)
class ReportSection:
    """A report section: ``render(period, filters)`` returns an HTML fragment (page and PDF)."""

    key: str
    title: str
    render: Callable[..., str]


@dataclass(frozen=True)
class ScheduledJob:
    """Recurring work: ``func`` (``"module:function"``) runs as a job at each ``cron`` time."""

    key: str
    cron: str
    func: str


@dataclass(frozen=True)
class ScenarioTemplate:
    """A ready-made scenario: ``definition`` is the scenario JSON of DESIGN.md."""

    key: str
    title: str
    definition: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ApiDoc:
    """A plugin's part of ``/api/v1/openapi.json``.

    ``paths`` maps paths relative to ``/api/v1`` (``"/ratings/rules"``) to OpenAPI path items;
    ``schemas`` are added to ``components.schemas`` (prefix their names with the plugin's).
    """

    paths: dict = field(default_factory=dict)
    schemas: dict = field(default_factory=dict)
