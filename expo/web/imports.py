"""Import pages: upload, map the columns, dry run (every row classified), commit, skipped rows.

Planners and administrators only. Each step is a plain form (works without JavaScript); while a
big file's job runs, the page polls its progress bar with HTMX (or reloads itself without it).
"""
from __future__ import annotations

import io

from flask import current_app, render_template, request, send_file, url_for

from expo.core import db
from expo.core.errors import ValidationError
from expo.core.imports import runs
from expo.core.imports.fields import fields_of
from expo.core.models import IMPORT_KINDS, ROW_STATUSES, Import
from expo.core.queries import paging_from_args
from expo.core.spreadsheets import CSV_MIMETYPE, XLSX_MIMETYPE
from expo.web.pages import page_or_fragment, protected_blueprint, redirect_after_post, user

bp = protected_blueprint("imports", __name__, url_prefix="/imports")
RECENT = 30
ROWS_PER_PAGE = 100


@bp.before_request
def _importers_only():
    runs.require_importer(user())


def _index(errors=None, status=200):
    return render_template("imports/index.html", imports=runs.recent_imports(RECENT), kinds=IMPORT_KINDS,
                           errors=errors or {}, max_mb=current_app.config["IMPORT_MAX_MB"]), status


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def create():
    try:
        imp = runs.upload(request.files.get("file"), request.form.get("kind", "clients"), user())
        db.commit()
    except ValidationError as problem:
        db.rollback()
        return _index(problem.fields or {"file": str(problem.message)}, 422)
    return redirect_after_post(url_for("imports.show", import_id=imp.id))


def _show(imp: Import, errors=None, code=200):
    context = {"imp": imp, "errors": errors or {}, "fields": fields_of(imp.kind), "statuses": ROW_STATUSES}
    if imp.state in ("uploaded", "failed"):
        context["header"], context["samples"] = runs.preview(imp)
    if imp.state in ("checked", "committed"):
        context.update(_rows_context(imp))
    if imp.state in ("checking", "committing"):
        context["progress"] = runs.read_progress(imp.id)
    return page_or_fragment("imports/show.html", "_partials/import_rows.html", code, **context)


def _rows_context(imp: Import) -> dict:
    status = request.args.get("status") or None
    if status not in (None, *ROW_STATUSES):
        status = None
    limit, offset = paging_from_args(request.args, ROWS_PER_PAGE, top=500)
    rows, total = runs.row_page(imp, status, limit, offset)
    return {"rows": rows, "rows_total": total, "shown_status": status, "limit": limit, "offset": offset}


@bp.get("/<int:import_id>")
def show(import_id: int):
    return _show(runs.visible_import(user(), import_id))


@bp.post("/<int:import_id>/mapping")
def mapping(import_id: int):
    """Save the mapping, then check every row (the dry run)."""
    me = user()
    imp = runs.visible_import(me, import_id)
    chosen = {}
    for key, value in request.form.items():
        if key.startswith("column_") and value:
            chosen.setdefault(value, key.removeprefix("column_"))
    try:
        runs.set_mapping(imp, chosen, me)
        runs.start(imp, me, write=False)
        db.commit()
    except ValidationError as problem:
        db.rollback()
        imp = runs.visible_import(me, import_id)
        return _show(imp, problem.fields or {"mapping": str(problem.message)}, 422)
    return redirect_after_post(url_for("imports.show", import_id=import_id))


@bp.post("/<int:import_id>/commit")
def commit(import_id: int):
    me = user()
    imp = runs.visible_import(me, import_id)
    runs.start(imp, me, write=True)
    db.commit()
    return redirect_after_post(url_for("imports.show", import_id=import_id))


@bp.get("/<int:import_id>/progress")
def progress(import_id: int):
    """The progress bar; once the job is over, HTMX reloads the page to show the result."""
    imp = runs.visible_import(user(), import_id)
    headers = {} if imp.state in ("checking", "committing") else {"HX-Refresh": "true"}
    return render_template("_partials/import_progress.html", imp=imp,
                           progress=runs.read_progress(imp.id)), 200, headers


@bp.get("/<int:import_id>/skipped")
def skipped(import_id: int):
    imp = runs.visible_import(user(), import_id)
    body, kind, name = runs.skipped_file(imp)
    if kind == "xlsx":
        return send_file(body, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)
    return send_file(io.BytesIO(body), mimetype=CSV_MIMETYPE, as_attachment=True, download_name=name)
