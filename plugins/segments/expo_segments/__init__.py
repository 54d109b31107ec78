"""The ``segments`` plugin: which clients matter and which are slipping away.

Categories (active / potential / lost) and ABC/XYZ/ABCDE classes per client, shown, sorted and
filtered on the client list; the ABC/XYZ matrix for any period; saved segments (named filters for
the list, its export and the API); the reactivation list with a one-click task; contacts'
birthdays on the start page; a report section; an API. Only ``@hookimpl`` functions live here:
they delegate to ``queries``, ``services``, ``views`` and ``jobs``.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, select
from sqlalchemy.orm import aliased

from expo.hooks import (ApiDoc, ListColumn, ListFilter, NavItem, Panel, ReportSection, ScheduledJob,
                        enqueue_after_commit, hookimpl, openapi)
from expo.hooks import models as core  # the name ``models`` is this package's own module
from expo_segments.models import ClientClass

RECOMPUTE = "expo_segments.jobs:recompute_client"
CATEGORY_LABELS = {"active": _l("active"), "potential": _l("potential"), "lost": _l("lost")}


@hookimpl
def register_blueprints(app):
    from expo_segments.views import api, bp

    return [bp, api]


@hookimpl
def nav_items(user):
    return [NavItem("segments", _l("Segments"), "segments.index", order=60)]


def _class_of(column):
    """A client's stored class, as a subquery on an alias correlated to Client only (so it holds in
    a query that reads ClientClass itself, a report section's say)."""
    found = aliased(ClientClass, name="segment_class_of")
    return (select(getattr(found, column.key)).where(found.client_id == core.Client.id).correlate(core.Client)
            .scalar_subquery())


@hookimpl
def list_columns(list_name, user):
    if list_name != "clients":
        return None
    return [ListColumn("sales_category", _l("By sales"), _class_of(ClientClass.category)),
            ListColumn("abc", "ABC", _class_of(ClientClass.abc)), ListColumn("xyz", "XYZ", _class_of(ClientClass.xyz))]


@hookimpl
def list_filters(list_name, user):
    if list_name != "clients":
        return None
    from expo_segments import services
    from expo_segments.views import saved_segments

    def has(column):
        return lambda value: _class_of(column) == value

    saved = saved_segments()
    conditions = {str(s.id): s.filters for s in saved}
    return [
        ListFilter("sales_category", _l("By sales"), tuple(CATEGORY_LABELS.items()), has(ClientClass.category)),
        ListFilter("abc", "ABC", (("A", "A"), ("B", "B"), ("C", "C")), has(ClientClass.abc)),
        ListFilter("xyz", "XYZ", (("X", "X"), ("Y", "Y"), ("Z", "Z")), has(ClientClass.xyz)),
        # A segment deleted since (a stored report's filter) keeps nobody rather than everybody.
        ListFilter("segment", _l("Segment"), tuple((str(s.id), s.name) for s in saved),
                   lambda value: services.segment_condition(conditions[value]) if value in conditions else false()),
    ]


@hookimpl
def dashboard_widgets(user):
    return [Panel("segments-birthdays", _l("Birthdays this week"), url_for("segments.birthdays"))]


@hookimpl
def register_report_sections():
    from expo_segments.report import render

    return [ReportSection("segments-clients", str(_l("Client base: ABC/XYZ and reactivation")), render)]


@hookimpl
def register_scheduled_jobs():
    return [ScheduledJob("segments-recompute", "15 2 * * *", "expo_segments.jobs:recompute_all")]


@hookimpl
def engagement_closed(engagement, kind):
    if kind == "won":
        enqueue_after_commit(RECOMPUTE, client_id=engagement.client_id)


@hookimpl
def engagement_reopened(engagement, previous_kind):
    if previous_kind == "won":
        enqueue_after_commit(RECOMPUTE, client_id=engagement.client_id)


@hookimpl
def import_committed(kind, counts):
    if counts.get("new") or counts.get("update"):
        enqueue_after_commit("expo_segments.jobs:recompute_all")


@hookimpl
def register_api_docs():
    cell = openapi.obj({"abc": openapi.STR, "xyz": openapi.STR, "clients": openapi.INT, "revenue": openapi.MONEY})
    period = [openapi.param("period_from", openapi.STR, description="YYYY-MM, default: 12 months ago"),
              openapi.param("period_to", openapi.STR, description="YYYY-MM, default: last month")]
    return [ApiDoc(paths={
        "/segments/abcxyz": {"get": openapi.op(
            "The ABC/XYZ matrix of a period (and ABCDE counts)", openapi.json(openapi.obj({
                "period_from": openapi.STR, "period_to": openapi.STR, "thresholds": {"type": "object"},
                "cells": {"type": "array", "items": cell}, "abcde": {"type": "object"}})),
            params=period, errors=(401, 422))},
        "/segments/reactivation": {"get": openapi.op(
            "Clients silent longer than k × their usual interval between purchases",
            openapi.json(openapi.list_of("SegmentsReactivation")),
            params=openapi.PAGING, errors=(401, 422))},
    }, schemas={"SegmentsReactivation": openapi.obj({
        "client_id": openapi.INT, "name": openapi.STR, "manager_id": openapi.NINT, "last_purchase_on": openapi.DATE,
        "silent_days": openapi.INT, "interval_days": openapi.INT, "last_contact": openapi.NSTR})})]
