"""Reports: generate now (the job's state polled by HTMX), history, downloads, subscriptions, deliveries."""
from __future__ import annotations

from flask import render_template, request, send_file, url_for
from flask_babel import gettext as _

from expo.core import access, clock, db
from expo.core.errors import Forbidden, NotFound
from expo.core.jobs import QueueUnavailable
from expo.core.models import ReportDelivery
from expo.core.reports import generate, subscriptions as subs
from expo.core.reports.periods import period_of, previous_period
from expo.core.reports.sections import available_sections, client_filters
from expo.core.queries.exhibitions import all_exhibitions
from expo.core.queries.people import active_users, assignable_users
from expo.web.pages import protected_blueprint, redirect_after_post, save_or_refuse, user

bp = protected_blueprint("reports", __name__, url_prefix="/reports")
HISTORY = 50
FIELDS = ("name", "sections", "exhibition_id", "manager_id", "recipient_user_ids", "recipient_emails", "frequency",
          "weekday", "day", "at_time", "starts_on", "active")


@bp.before_request
def _management_only():
    # Reports carry firm-wide numbers: client-managers see their own work on their pages instead.
    if not user().sees_all_clients:
        raise Forbidden()


def _choices():
    """What the report form offers: sections and filters."""
    return {"sections": available_sections(), "managers": assignable_users(), "exhibitions": all_exhibitions(),
            "client_filters": client_filters()}


def _subscription_choices():
    """The report form's choices, and a subscription's own: when it goes out, and to whom."""
    weekdays = [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")]
    return {**_choices(), "weekdays": list(enumerate(weekdays)), "people": active_users()}


def _index(errors=None, values=None, status=200, notice=None):
    reports = generate.recent_reports(HISTORY)
    failed_deliveries = subs.failed_deliveries(HISTORY) if user().role == "admin" else []
    default_period = previous_period(period_of(clock.now()))
    return render_template("reports/index.html", reports=reports, errors=errors or {}, notice=notice,
                           values=values or {"period": default_period, "sections": list(available_sections())},
                           failed_deliveries=failed_deliveries, **_choices()), status


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def create():
    values = {"period": request.form.get("period", ""), "sections": request.form.getlist("sections"),
              "exhibition_id": request.form.get("exhibition_id"), "manager_id": request.form.get("manager_id"),
              **{f.key: request.form.get(f.key) for f in client_filters()}}
    report, errors = save_or_refuse(lambda: generate.create_report(values, user()))
    if errors:
        return _index(errors, values, 422)
    try:
        generate.start(report)
    except QueueUnavailable as problem:
        return _index(values=values, status=503, notice=str(problem.message))
    return redirect_after_post(url_for("reports.index"))


@bp.get("/<int:report_id>/status")
def status(report_id: int):
    """The report's row; while queued or running it asks again every second (HTMX polling)."""
    report = generate.visible_report(user(), report_id)
    return render_template("_partials/report_row.html", report=report)


@bp.get("/<int:report_id>/pdf")
def pdf(report_id: int):
    report = generate.visible_report(user(), report_id)
    return send_file(generate.finished_file(report), mimetype="application/pdf", as_attachment=True,
                     download_name=f"report-{report.id}-{report.period}.pdf")


# --- subscriptions ------------------------------------------------------------------------------


def _subscription_values() -> dict:
    form = request.form
    values = {key: form.get(key, "") for key in ("name", "frequency", "weekday", "day", "at_time", "starts_on",
                                                 "exhibition_id", "manager_id", *(f.key for f in client_filters()))}
    values["sections"] = form.getlist("sections")
    values["recipient_user_ids"] = form.getlist("recipient_user_ids")
    values["recipient_emails"] = [e.strip() for e in form.get("recipient_emails", "").replace(";", ",").split(",")
                                  if e.strip()]
    values["active"] = "active" in form
    for key in ("weekday", "day", "starts_on"):
        if values[key] == "":
            values[key] = None
    return values


@bp.route("/subscriptions/", methods=["GET", "POST"])
def subscriptions():
    me = user()
    errors, values, status_code = {}, {"sections": list(available_sections()), "frequency": "monthly", "day": 1,
                                       "at_time": "08:00", "active": True}, 200
    if request.method == "POST":
        values = _subscription_values()
        created, errors = save_or_refuse(lambda: subs.create_subscription(values, me))
        if created is not None:
            return redirect_after_post(url_for("reports.subscription", subscription_id=created.id))
        status_code = 422
    return render_template("reports/subscriptions.html", subscriptions=subs.all_subscriptions(), errors=errors, values=values,
                           subscription=None, **_subscription_choices()), status_code


@bp.route("/subscriptions/<int:subscription_id>", methods=["GET", "POST"])
def subscription(subscription_id: int):
    me = user()
    current = subs.get_subscription(subscription_id)
    errors, status_code = {}, 200
    values = {key: getattr(current, key) for key in FIELDS if hasattr(current, key)} | current.filters
    if request.method == "POST":
        access.require_assign(me)
        values = _subscription_values()
        _changes, errors = save_or_refuse(lambda: subs.update_subscription(current, values, me))
        if not errors:
            return redirect_after_post(url_for("reports.subscription", subscription_id=current.id))
        status_code = 422
    return render_template("reports/subscription.html", subscription=current, errors=errors, values=values,
                           deliveries=current.deliveries[:HISTORY], **_subscription_choices()), status_code


@bp.post("/subscriptions/<int:subscription_id>/delete")
def delete_subscription(subscription_id: int):
    subs.delete_subscription(subs.get_subscription(subscription_id), user())
    db.commit()
    return redirect_after_post(url_for("reports.subscriptions"))


@bp.post("/subscriptions/<int:subscription_id>/send")
def send_now(subscription_id: int):
    current = subs.get_subscription(subscription_id)
    subs.send_now(current, user())
    db.commit()
    return redirect_after_post(url_for("reports.subscription", subscription_id=current.id))


@bp.post("/deliveries/<int:delivery_id>/resend")
def resend(delivery_id: int):
    delivery = db.session().get(ReportDelivery, delivery_id)
    if delivery is None:
        raise NotFound()
    subs.resend(delivery, user())
    db.commit()
    return redirect_after_post(url_for("reports.subscription", subscription_id=delivery.subscription_id))
