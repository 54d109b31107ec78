"""The core's report sections: summary, exhibitions, discipline. Each number is an SQL aggregate.

A section is a ``ReportSection(key, title, render)``; ``render(period, filters)`` returns an HTML
fragment, the same for the page preview and the PDF. Plugins add theirs through ``register_report_sections``.
"""
from __future__ import annotations

from datetime import datetime

from flask import render_template
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_, case, func, or_, select

from expo.core import clock, db
from expo.core.access import not_deleted
from expo.core.hooktypes import ListFilter
from expo.core.models import SYSTEM, Client, Engagement, Exhibition, ScenarioStep, Task, User
from expo.core.plugins import collect, registered
from expo.core.reports.periods import bounds, month_days
from expo.core.hooktypes import ReportSection


def client_filters() -> list[ListFilter]:
    """The filters enabled plugins add to the client list (a saved segment, an ABC class, …): a
    report can be narrowed to the clients one of them picks, as the list can."""
    return collect("list_filters", list_name="clients", user=SYSTEM)


def client_condition(filters: dict):
    """The SQL condition on ``Client`` of a report's client filters (None when it has none). A
    filter whose plugin is no longer enabled is dropped (the report header no longer names it)."""
    conditions = [f.condition(str(filters[f.key])) for f in client_filters() if filters.get(f.key) not in (None, "")]
    return and_(*conditions) if conditions else None


def _engagement_filters(query, filters: dict):
    query = query.where(not_deleted(Engagement.client_id))
    if (picked := client_condition(filters)) is not None:
        query = query.where(Engagement.client_id.in_(select(Client.id).where(picked)))
    if filters.get("exhibition_id"):
        query = query.where(Engagement.exhibition_id == filters["exhibition_id"])
    if filters.get("manager_id"):
        query = query.where(Engagement.manager_id == filters["manager_id"])
    return query


def _names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session().execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def _in(column, start: datetime, end: datetime):
    return and_(column >= start, column < end)


def summary_data(period: str, filters: dict) -> dict:
    start, end = bounds(period)
    closed_in = _in(Engagement.closed_at, start, end)

    def closed(state):
        return func.sum(case((and_(closed_in, Engagement.state == state), 1), else_=0))

    query = _engagement_filters(select(
        Engagement.manager_id,
        func.sum(case((_in(Engagement.opened_at, start, end), 1), else_=0)).label("opened"),
        closed("won").label("won"), closed("lost").label("lost"), closed("declined").label("declined"),
        func.sum(case((and_(closed_in, Engagement.state == "won"), Engagement.contract_amount))).label("won_amount"),
    ), filters).where(or_(_in(Engagement.opened_at, start, end), closed_in)).group_by(Engagement.manager_id)
    rows = {r.manager_id: r._asdict() for r in db.session().execute(query)}
    clients = select(Client.manager_id, func.count(Client.id)).where(_in(Client.created_at, start, end),
                                                                    Client.deleted_at.is_(None))
    if filters.get("manager_id"):
        clients = clients.where(Client.manager_id == filters["manager_id"])
    if (picked := client_condition(filters)) is not None:
        clients = clients.where(picked)
    new_clients = dict(db.session().execute(clients.group_by(Client.manager_id)).all())
    names = _names(set(rows) | set(new_clients))
    per_manager = []
    for manager_id in sorted(set(rows) | set(new_clients), key=lambda m: names.get(m, "")):
        row = rows.get(manager_id, {})
        per_manager.append({"manager": names.get(manager_id, "—"), "new_clients": new_clients.get(manager_id, 0),
                            **{k: int(row.get(k) or 0) for k in ("opened", "won", "lost", "declined")},
                            "won_amount": row.get("won_amount")})
    totals = {k: sum(m[k] for m in per_manager) for k in ("new_clients", "opened", "won", "lost", "declined")}
    totals["won_amount"] = sum((m["won_amount"] or 0) for m in per_manager)
    return {"per_manager": per_manager, "totals": totals}


def exhibitions_data(period: str, filters: dict) -> list[dict]:
    """Per exhibition: engagements by state, and the open ones by current step (a snapshot)."""
    step = ScenarioStep
    query = _engagement_filters(
        select(Engagement.exhibition_id, Engagement.state, step.title, func.min(step.position), func.count())
        .outerjoin(step, and_(step.scenario_id == Engagement.scenario_id, step.key == Engagement.step)), filters
    ).group_by(Engagement.exhibition_id, Engagement.state, step.title)
    found: dict[int, dict] = {}
    for exhibition_id, state, step_title, position, count in db.session().execute(query):
        item = found.setdefault(exhibition_id, {"states": {}, "steps": {}})
        item["states"][state] = item["states"].get(state, 0) + count
        if state == "open" and step_title:
            item["steps"][(position, step_title)] = count
    shows = {x.id: x for x in db.session().scalars(select(Exhibition).where(Exhibition.id.in_(found)))} if found else {}
    return [
        {"exhibition": shows[i], "states": found[i]["states"],
         "steps": [(title, count) for (_pos, title), count in sorted(found[i]["steps"].items())]}
        for i in sorted(found, key=lambda i: shows[i].starts_on)
    ]


def discipline_data(period: str, filters: dict) -> list[dict]:
    """Per manager: open overdue tasks now, hard deadlines missed in the period, stalled engagements."""
    today = clock.today()
    first, after = month_days(period)
    task_scope = select(Task.assignee_id).outerjoin(Engagement, Engagement.id == Task.engagement_id)
    task_scope = _engagement_filters(task_scope, filters).where(not_deleted(Task.client_id))
    is_open = and_(Task.done_at.is_(None), Task.cancelled_at.is_(None))
    overdue = dict(db.session().execute(
        task_scope.add_columns(func.count(Task.id)).where(is_open, Task.due_on < today).group_by(Task.assignee_id)
    ).all())
    missed = dict(db.session().execute(
        task_scope.add_columns(func.count(Task.id))
        .where(Task.hard_deadline, Task.due_on >= first, Task.due_on < after,
               or_(Task.escalated_at.is_not(None), and_(is_open, Task.due_on < today)))
        .group_by(Task.assignee_id)
    ).all())
    stalled = dict(db.session().execute(_engagement_filters(
        select(Engagement.manager_id, func.count(Engagement.id))
        .where(Engagement.state == "open", Engagement.stalled_at.is_not(None)), filters
    ).group_by(Engagement.manager_id)).all())
    people = set(overdue) | set(missed) | set(stalled)
    names = _names(people)
    return [{"manager": names.get(m, str(_l("unassigned"))), "overdue": overdue.get(m, 0),
             "missed": missed.get(m, 0), "stalled": stalled.get(m, 0)}
            for m in sorted(people, key=lambda m: names.get(m, ""))]


def _section(key: str, title, data):
    def render(period: str, filters: dict) -> str:
        return Markup(render_template(f"reports/sections/{key}.html", period=period, filters=filters,
                                      data=data(period, filters)))

    return ReportSection(key, str(title), render)


def core_sections() -> list[ReportSection]:
    return [
        _section("summary", _l("Summary"), summary_data),
        _section("exhibitions", _l("Exhibitions"), exhibitions_data),
        _section("discipline", _l("Discipline"), discipline_data),
    ]


def available_sections() -> dict[str, ReportSection]:
    """Every section a report can include, core first, in a stable order."""
    return {section.key: section for section in [*core_sections(), *registered("register_report_sections")]}
