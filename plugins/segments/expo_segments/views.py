"""Pages (/segments) and the JSON API (/api/v1/segments): the ABC/XYZ matrix with its cells'
clients, ABCDE, saved segments, the reactivation list with its one-click task, birthdays."""
from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from expo.hooks import (NotFound, ValidationError, api_blueprint, api_list, api_paging, api_user, commit,
                        current_user, db_session, form_data, get_client, page_or_fragment, protected_blueprint,
                        redirect_after_post, rollback)
from expo_segments import queries, services
from expo_segments.models import SavedSegment

bp = protected_blueprint("segments", __name__, url_prefix="/segments", template_folder="templates")
api = api_blueprint("segments", __name__)
PAGE = 50


def _period_and_thresholds(args):
    return queries.Period.from_args(args), queries.Thresholds.from_settings()


def saved_segments() -> list[SavedSegment]:
    return list(db_session().scalars(select(SavedSegment).order_by(SavedSegment.name)))


@bp.get("/")
def index():
    period, thresholds = _period_and_thresholds(request.args)
    return render_template("segments/index.html", period=period, thresholds=thresholds,
                           cells=queries.matrix(current_user, period, thresholds),
                           abcde=queries.abcde_counts(current_user, period, thresholds),
                           segments=saved_segments(), errors={}, values={},
                           stored=queries.uses_stored_classes(period))


@bp.get("/cell")
def cell():
    period, thresholds = _period_and_thresholds(request.args)
    abc, xyz = request.args.get("abc"), request.args.get("xyz")
    wrong = {key: _("Pick one of %(choices)s.", choices=", ".join(choices))
             for key, value, choices in (("abc", abc, queries.ABC), ("xyz", xyz, queries.XYZ)) if value not in choices}
    if wrong:
        raise ValidationError(fields=wrong)
    limit, offset = api_paging(PAGE)
    rows, total = queries.cell_clients(current_user, period, thresholds, abc, xyz, limit, offset)
    return render_template("segments/cell.html", period=period, abc=abc, xyz=xyz, rows=rows, total=total,
                           limit=limit, offset=offset)


@bp.post("/saved")
def save():
    values = form_data(services.SEGMENT_FIELDS)
    try:
        services.save_segment(values, current_user)
        commit()
    except ValidationError as problem:
        rollback()
        period, thresholds = _period_and_thresholds({})
        return render_template("segments/index.html", period=period, thresholds=thresholds,
                               cells=queries.matrix(current_user, period, thresholds),
                               abcde=queries.abcde_counts(current_user, period, thresholds),
                               segments=saved_segments(), errors=problem.fields, values=values), 422
    return redirect_after_post(url_for("segments.index"))


@bp.post("/saved/<int:segment_id>/delete")
def delete(segment_id: int):
    segment = db_session().get(SavedSegment, segment_id)
    if segment is None:
        raise NotFound()
    services.delete_segment(segment, current_user)
    commit()
    return redirect_after_post(url_for("segments.index"))


@bp.get("/reactivation")
def reactivation():
    limit, offset = api_paging(PAGE)
    rows, total = queries.reactivation(current_user, limit, offset)
    return page_or_fragment("segments/reactivation.html", "segments/_reactivation.html", rows=rows, total=total,
                            limit=limit, offset=offset, created=request.args.get("created"))


@bp.post("/reactivation/<int:client_id>/task")
def reactivation_task(client_id: int):
    client = get_client(current_user, client_id)
    services.reactivation_task(client, current_user)
    commit()
    return redirect_after_post(url_for("segments.reactivation", created=client.id))


@bp.get("/birthdays")
def birthdays():
    return render_template("segments/_birthdays.html", found=queries.birthdays(current_user))


# --- the API -----------------------------------------------------------------------------------


@api.get("/abcxyz")
def api_abcxyz():
    period, thresholds = _period_and_thresholds(request.args)
    cells = queries.matrix(api_user(), period, thresholds)
    return {"period_from": period.first, "period_to": period.last,
            "thresholds": {"a": str(thresholds.a), "b": str(thresholds.b), "x": str(thresholds.x),
                           "y": str(thresholds.y)},
            "cells": [{"abc": abc, "xyz": xyz, "clients": cell["clients"], "revenue": f"{cell['revenue']:.2f}"}
                      for (abc, xyz), cell in cells.items()],
            "abcde": queries.abcde_counts(api_user(), period, thresholds)}


@api.get("/reactivation")
def api_reactivation():
    limit, offset = api_paging(PAGE)
    rows, total = queries.reactivation(api_user(), limit, offset)
    return api_list([{"client_id": r["client"].id, "name": r["client"].name, "manager_id": r["client"].manager_id,
                      "last_purchase_on": r["last_purchase_on"].isoformat(), "silent_days": r["silent_days"],
                      "interval_days": r["interval_days"],
                      "last_contact": r["last_contact"].isoformat() if r["last_contact"] else None} for r in rows],
                    total, limit, offset)
