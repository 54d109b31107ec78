"""Engagement pages: open one, see its step, actions and history, choose an outcome, edit money."""
from __future__ import annotations

from flask import Response, current_app, render_template, request, url_for
from flask_babel import gettext as _

from expo.core import access, db
from expo.core.documents import render_text
from expo.core.errors import Busy, NotFound, ValidationError
from expo.core.models import ACTIVITY_KINDS, ScenarioAction, ScenarioStep
from expo.core.pdf import PdfLimit, render_pdf_isolated, static_uri
from expo.core.queries.engagements import engagement_details
from expo.core.scenarios.outline import outline
from expo.core.plugins import collect
from expo.core.services import engagements as service, process
from expo.core.validation import parse_id
from expo.core.queries.people import assignable_users
from expo.web.pages import (form_data, page_or_fragment, protected_blueprint, redirect_after_post, save_or_refuse,
                            user)

bp = protected_blueprint("engagements", __name__, url_prefix="/engagements")
HISTORY_LIMIT = 200  # the newest; the API pages through all of them


@bp.post("/")
def open_():
    me = user()
    # Refusals (duplicate, unknown exhibition …) go to the error page with each field's message.
    engagement = service.open_engagement(form_data(service.OPEN_FIELDS), me)
    db.commit()
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


def _form_version() -> int | None:
    """The version the form was rendered with; a form without a sensible one is stale by definition."""
    raw = request.form.get("version", "")
    if raw == "":
        return None
    number = parse_id(raw)
    return number if number is not None else -1


def _page(engagement, errors=None, values=None, status=200):
    me = user()
    details = engagement_details(engagement, HISTORY_LIMIT)
    scenario = outline(engagement.scenario_id)
    return render_template(
        "engagements/show.html", engagement=engagement, errors=errors or {}, values=values or {},
        scenario=scenario, step=scenario.step(engagement.step) if scenario else None,
        steps_log=details.steps_log, open_tasks=details.open_tasks,
        manager_options=[(m.id, m.name) for m in assignable_users()] if me.can_assign else [],
        history=details.activities, activity_kinds=ACTIVITY_KINDS,
        panels=collect("engagement_panels", engagement=engagement, user=me),
    ), status


@bp.get("/<int:engagement_id>")
def show(engagement_id: int):
    return _page(access.get_engagement(user(), engagement_id))


@bp.post("/<int:engagement_id>")
def update(engagement_id: int):
    me = user()
    engagement = access.get_engagement(me, engagement_id)
    values = form_data(service.UPDATE_FIELDS)
    if not me.can_assign:
        values.pop("manager_id", None)
    _done, errors = save_or_refuse(lambda: service.update_engagement(engagement, values, me,
                                                                     expected_version=_form_version()))
    if errors:
        return _page(engagement, errors, values, 422)
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


@bp.post("/<int:engagement_id>/activities")
def log_activity(engagement_id: int):
    """Log an activity on this engagement: its manager may not see the rest of the client."""
    from expo.web.clients import record_activity

    me = user()
    engagement = access.get_engagement(me, engagement_id)
    return record_activity(engagement.client, me, engagement_id=engagement.id)


@bp.post("/<int:engagement_id>/outcome")
def outcome(engagement_id: int):
    """One of the current step's outcome buttons; a stale page (version) gets a conflict.

    An outcome that moves on to a step takes one click. One that closes the engagement is asked
    first: posted without ``confirmed`` it answers the confirmation (writing nothing), and the
    confirmation posts here again with ``confirmed``, the comment and, if needed, the amount.
    """
    me = user()
    engagement = access.get_engagement(me, engagement_id)
    access.require_write(me)
    key = request.form.get("outcome", "")
    version = _form_version()
    move = process.resolve_outcome(engagement, key)
    if not move.closes:
        process.choose_outcome(engagement, key, me, expected_version=version)
        db.commit()
        return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))
    process.check_version(engagement, version)
    values = form_data(CONFIRM_FIELDS)
    if request.form.get("confirmed") != "1":
        return _confirmation(engagement, move, {}, status=200)
    _done, errors = save_or_refuse(lambda: process.choose_outcome(
        engagement, key, me, expected_version=version, **values))
    if errors:
        return _confirmation(engagement, move, errors, values, 422)
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


@bp.get("/<int:engagement_id>/outcomes/<outcome_key>")
def confirm_outcome(engagement_id: int, outcome_key: str):
    """Ask before an outcome closes the engagement: a page without JavaScript, an inline dialog with HTMX."""
    me = user()
    engagement = access.get_engagement(me, engagement_id)
    access.require_write(me)
    move = process.resolve_outcome(engagement, outcome_key)
    if not move.closes:
        raise NotFound()  # a step-to-step outcome needs no confirmation: its button posts at once
    return _confirmation(engagement, move, {}, version=parse_id(request.args.get("version", "")))


CONFIRM_FIELDS = tuple(process.OUTCOME_DETAILS)


def _confirmation(engagement, move, errors, values=None, status=200, version=None):
    """The closing outcome's form: comment, and the contract amount where the result takes one.

    ``version`` is the one the outcome button was rendered with, so a confirmation of a page that
    has gone stale meanwhile is refused when posted.
    """
    if values is None:
        values = {"contract_amount": engagement.contract_amount}
    return page_or_fragment(
        "engagements/confirm_outcome.html", "_partials/outcome_confirm.html", status,
        engagement=engagement, move=move, errors=errors, values=values,
        version=version or _form_version() or engagement.version,
        asks_amount=move.needs_amount or (move.result is not None and move.result.kind == "won"))


@bp.post("/<int:engagement_id>/reopen")
def reopen(engagement_id: int):
    me = user()
    engagement = access.get_engagement(me, engagement_id)
    process.reopen(engagement, me, expected_version=_form_version())
    db.commit()
    return redirect_after_post(url_for("engagements.show", engagement_id=engagement.id))


@bp.get("/<int:engagement_id>/documents/<int:action_id>.<any(html, pdf):fmt>")
def document(engagement_id: int, action_id: int, fmt: str):
    """An action's document template filled with this engagement's data, as HTML or PDF."""
    engagement = access.get_engagement(user(), engagement_id)
    action = db.session().get(ScenarioAction, action_id)
    step = db.session().get(ScenarioStep, action.step_id) if action else None
    if action is None or not action.document_template or step.scenario_id != engagement.scenario_id:
        raise NotFound()
    # The page links its stylesheet by URL; WeasyPrint may load only bundled files, so the PDF by file.
    stylesheet = url_for("static", filename="css/document.css") if fmt == "html" else static_uri("css/document.css")
    html = render_template("engagements/document.html", title=action.title, stylesheet=stylesheet,
                           body=render_text(action.document_template, engagement), engagement=engagement)
    if fmt == "html":
        return html
    filename = f"document-{engagement.id}-{action.id}.pdf"
    config = current_app.config
    try:
        pdf = render_pdf_isolated(html, config["DOCUMENT_PDF_TIMEOUT"], config["DOCUMENT_PDF_MEMORY_MB"],
                                  concurrent=config["DOCUMENT_WORKERS"])
    except PdfLimit as stopped:
        if stopped.kind == "busy":
            raise Busy() from None
        message = (_("The document is too long to print as a PDF (more than %(n)d s).", n=config["DOCUMENT_PDF_TIMEOUT"])
                   if stopped.kind == "timeout" else _("The document could not be printed as a PDF; try the HTML version."))
        raise ValidationError(message, fields={"document_template": message}) from None
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
