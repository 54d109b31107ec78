"""/api/v1/reports: sections, generation (202 + polling), the PDF, subscriptions."""
from __future__ import annotations

from flask import send_file
from sqlalchemy import select

from expo.core import db
from expo.core.errors import Forbidden
from expo.core.models import ReportSubscription
from expo.core.reports import generate, subscriptions as subs
from expo.core.reports.sections import available_sections
from expo.web.api import bp
from expo.web.api.common import api_user, body, fields_of, listing

REPORT_OUT = ("id", "title", "period", "sections", "filters", "state", "error", "created_at", "finished_at")
SUBSCRIPTION_OUT = ("id", "name", "sections", "filters", "recipient_user_ids", "recipient_emails", "frequency",
                    "weekday", "day", "at_time", "starts_on", "active")
DELIVERY_OUT = ("id", "occurrence", "period", "state", "error", "attempts", "sent_at", "report_id")


def _management():
    if not api_user().sees_all_clients:
        raise Forbidden()


def subscription_json(subscription: ReportSubscription) -> dict:
    return fields_of(subscription, SUBSCRIPTION_OUT) | {
        "deliveries": [fields_of(d, DELIVERY_OUT) for d in subscription.deliveries[:20]]}


@bp.get("/reports/sections")
def reports_sections():
    _management()
    items = [{"key": key, "title": section.title} for key, section in available_sections().items()]
    return listing(items, len(items), len(items), 0)


@bp.post("/reports")
def reports_create():
    report = generate.create_report(body(), api_user())
    db.commit()
    generate.start(report)  # Redis down: 503 queue_unavailable, the report marked failed
    return {"id": report.id, "state": report.state}, 202


@bp.get("/reports/<int:report_id>")
def reports_get(report_id: int):
    return fields_of(generate.visible_report(api_user(), report_id), REPORT_OUT)


@bp.get("/reports/<int:report_id>/pdf")
def reports_pdf(report_id: int):
    report = generate.visible_report(api_user(), report_id)
    return send_file(generate.finished_file(report), mimetype="application/pdf",
                     download_name=f"report-{report.id}-{report.period}.pdf")


@bp.get("/reports/subscriptions")
def subscriptions_list():
    _management()
    rows = db.session().scalars(select(ReportSubscription).order_by(ReportSubscription.id)).all()
    return listing([subscription_json(s) for s in rows], len(rows), len(rows), 0)


@bp.post("/reports/subscriptions")
def subscriptions_create():
    subscription = subs.create_subscription(body(), api_user())
    db.commit()
    return subscription_json(subscription), 201


def _subscription(subscription_id: int) -> ReportSubscription:
    _management()
    return subs.get_subscription(subscription_id)


@bp.get("/reports/subscriptions/<int:subscription_id>")
def subscriptions_get(subscription_id: int):
    return subscription_json(_subscription(subscription_id))


@bp.patch("/reports/subscriptions/<int:subscription_id>")
def subscriptions_patch(subscription_id: int):
    subscription = _subscription(subscription_id)
    subs.update_subscription(subscription, body(), api_user())
    db.commit()
    return subscription_json(subscription)


@bp.delete("/reports/subscriptions/<int:subscription_id>")
def subscriptions_delete(subscription_id: int):
    subs.delete_subscription(_subscription(subscription_id), api_user())
    db.commit()
    return "", 204


@bp.post("/reports/subscriptions/<int:subscription_id>/send")
def subscriptions_send(subscription_id: int):
    occurrence = subs.send_now(_subscription(subscription_id), api_user())
    db.commit()
    return {"occurrence": occurrence, "state": "queued"}, 202
