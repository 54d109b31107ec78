"""Pages at /funnel: the funnel with its chart, results and reasons; the managers' cross-statistics;
the drill-down behind every number; CSV of every table; the start page's widget.

The filters are a plain GET form (the URL holds them, so a view can be bookmarked or mailed);
with JavaScript HTMX swaps the results in place and pushes the URL. Bad filters are named in the
form (422) and the numbers stay empty.
"""
from __future__ import annotations

from functools import cache

from flask import render_template, request
from sqlalchemy import Boolean, Integer, String, cast, exists, literal, null, select, union_all

from expo.hooks import (NotFound, ValidationError, api_paging, audit_record, commit, csv_download,
                        current_user, db_rows, db_session, models, page_or_fragment, protected_blueprint, today)
from expo_funnel import chart, drilldown, formatting, queries, sources, tables
from expo_funnel.managers import Test, managers, matrix
from expo_funnel.selection import ARGS, CLIENT_FIELDS, Known, Selection

bp = protected_blueprint("funnel", __name__, url_prefix="/funnel", template_folder="templates")
bp.add_app_template_filter(formatting.pct, "funnel_pct")
bp.add_app_template_global(formatting.drill, "funnel_drill")
bp.add_app_template_global(formatting.options, "funnel_options")
PAGE = 50


def _selection(known: Known | None = None):
    """``(selection, errors)``: the selection of the query string, or None and the fields' problems.
    ``known``: what the page's filter form read already, so choosing asks the database nothing more."""
    args = request.args.to_dict()
    if args.get("versions_of") not in (None, args.get("scenario_id")):
        args.pop("version_id", None)  # the form's scenario changed: its old version means nothing now
    try:
        return Selection.from_args(args, current_user, known), {}
    except ValidationError as problem:
        return None, problem.fields or {"scenario_id": problem.message}


def _filter_rows() -> dict[str, list]:
    """The drop-downs' rows: every scenario version, the exhibitions, the managers (for those who
    see everyone), and the firm's own lists of regions, industries and channels (the values the
    client form offers, so filters and data agree) — one statement, read as plain rows (no objects:
    a page lists every exhibition and person), built once."""
    rows = {"scenario": [], "exhibition": [], "manager": [], "deleted": [], **{key: [] for key in CLIENT_FIELDS}}
    for row in db_rows(_filter_statement(current_user.sees_all_clients)):
        rows[row.list].append(row)
    sources.note_any_deleted(bool(rows["deleted"]))  # asked here: a round trip fewer for the numbers
    return rows


@cache
def _filter_statement(with_managers: bool):
    Scenario, User, Exhibition, PickListItem = models.Scenario, models.User, models.Exhibition, models.PickListItem
    none = (cast(null(), Integer), cast(null(), Integer), cast(null(), Boolean), cast(null(), Boolean))  # typed: PostgreSQL asks
    lists = [select(literal("scenario").label("list"), Scenario.id, Scenario.name, Scenario.lineage_id,
                    Scenario.version, Scenario.is_current, Scenario.is_default),
             select(literal("exhibition"), Exhibition.id, Exhibition.name, *none),
             select(PickListItem.field, PickListItem.id, PickListItem.value, PickListItem.position, *none[1:])
             .where(PickListItem.field.in_(CLIENT_FIELDS))]
    if with_managers:
        lists.append(select(literal("manager"), User.id, User.name, *none)
                     .where(User.active, User.role.in_(("manager", "planner", "admin"))))
    # and a row if some client waits in the deletion grace period (sources.any_deleted)
    lists.append(select(literal("deleted"), cast(null(), Integer), cast(null(), String), *none)
                 .where(exists().where(models.Client.deleted_at.is_not(None))))
    every = union_all(*lists).subquery()
    return select(every).order_by(every.c.list, every.c.name, every.c.version.desc())


def _known(rows: dict[str, list]) -> Known:
    return Known(rows["scenario"], frozenset(row.id for row in rows["exhibition"]),
                 frozenset(row.id for row in rows["manager"]))


def _filter_options(rows: dict[str, list], sel: Selection | None) -> dict:
    """What the filter form offers, from ``_filter_rows``; the selected scenario's versions."""
    lineage = sel.scenario.lineage_id if sel and sel.scenario else None
    # A pick-list keeps the admins' order (its position), then the alphabet.
    options = {key: [row.name for row in sorted(rows[key], key=lambda row: row.lineage_id or 0)]
               for key in CLIENT_FIELDS}
    return {"scenarios": [s for s in rows["scenario"] if s.is_current],
            "versions": [s for s in rows["scenario"] if lineage is not None and s.lineage_id == lineage],
            "exhibitions": rows["exhibition"], "managers": rows["manager"], "options": options}


def _values(sel: Selection | None) -> dict:
    """What the filter form shows: the selection's own values, else what was typed."""
    if sel is not None:
        return sel.as_args()
    return {key: request.args.get(key, "") for key in ARGS}


@bp.get("/")
def index():
    choices = _filter_rows()
    sel, errors = _selection(_known(choices))
    found = queries.funnel(sel) if sel else None
    return page_or_fragment("funnel/index.html", "funnel/_funnel.html", status=422 if errors else 200,
                            sel=sel, funnel=found, chart=chart, errors=errors, values=_values(sel),
                            **_filter_options(choices, sel))


@bp.get("/managers")
def managers_page():
    choices = _filter_rows()
    sel, errors = _selection(_known(choices))
    rows, titles, cells, test = [], [], {}, Test.from_settings()
    if sel:
        rows = managers(sel)
        titles, cells = matrix(sel, test)
    return page_or_fragment("funnel/managers.html", "funnel/_managers.html", status=422 if errors else 200,
                            sel=sel, rows=rows, titles=titles, cells=cells, test=test, errors=errors,
                            values=_values(sel), **_filter_options(choices, sel))


@bp.get("/engagements")
def engagements_page():
    sel, errors = _selection()
    kind, step, result = request.args.get("kind", "worked"), request.args.get("step") or None, \
        request.args.get("result") or None
    rows, total, limit, offset = [], 0, PAGE, 0
    try:
        limit, offset = api_paging(PAGE)
        if sel:
            rows, total = drilldown.engagements(sel, current_user, kind, step, result, limit, offset)
    except ValidationError as problem:
        errors = problem.fields
    return page_or_fragment("funnel/engagements.html", "funnel/_engagements.html", status=422 if errors else 200,
                            sel=sel, rows=rows, total=total, limit=limit, offset=offset, kind=kind, step=step,
                            result=result, errors=errors, step_titles=dict(queries.step_titles(sel)) if sel else {})


@bp.get("/export/<table>.csv")
def export(table: str):
    """A table of the funnel or the managers page as CSV (audited)."""
    if table not in tables.TABLES:
        raise NotFound()
    sel, errors = _selection()
    if errors:
        raise ValidationError(fields=errors)
    audit_record("export", "funnel", None, current_user, table=table, **sel.as_args())
    commit()
    return csv_download(f"funnel-{table}.csv", tables.rows(table, sel))


@bp.get("/widget")
def widget():
    """The start page's miniature: this month's funnel (engagements opened this month)."""
    sel, _errors = _selection()
    found = None
    if sel:
        first = today().replace(day=1)
        found = queries.funnel(sel.but(period_from=first, period_to=today()))
    return render_template("funnel/_widget.html", funnel=found, sel=sel)
