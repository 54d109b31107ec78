"""Report subscriptions: scheduled mailings, each occurrence delivered once.

An occurrence is a due moment (weekly on a weekday, or monthly on a day, at a time in the firm's
time zone). A monthly mailing reports on the previous month; a weekly one on the month so far.
Each (subscription, occurrence) gets one ``ReportDelivery`` row under a unique constraint, so a
scheduler that restarts, runs twice or retries never mails anything twice.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any, Mapping

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from expo.core import access, clock, db, jobs, mail, validation as v
from expo.core.access import Actor
from expo.core.errors import Conflict, NotFound, ValidationError
from expo.core.i18n import period_label
from expo.core.models import FREQUENCIES, Report, ReportDelivery, ReportSubscription, User
from expo.core.reports import generate
from expo.core.reports.periods import firm_zone, period_of, previous_period
from expo.core.reports.sections import available_sections, client_filters, summary_data
from expo.core.services import apply_changes, audit

DELIVER_JOB = "expo.core.reports.subscriptions:deliver"
SCHEDULE_FIELDS = {"frequency", "weekday", "day", "at_time", "starts_on", "active"}
CLAIM_TIMEOUT = timedelta(minutes=30)  # a delivery "sending" longer than this was abandoned by its worker
MAX_RECIPIENTS = 50
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _check(data: Mapping[str, Any], current: ReportSubscription | None) -> dict:
    """Validate a subscription (create, or a partial change of ``current``); all problems at once."""
    plugin_filters = tuple(f.key for f in client_filters())
    fields = ("name", "sections", "exhibition_id", "manager_id", "recipient_user_ids", "recipient_emails",
              "frequency", "weekday", "day", "at_time", "starts_on", "active", *plugin_filters)
    errors: dict[str, str] = {key: str(_l("Unknown field.")) for key in data if key not in fields}
    merged = {key: getattr(current, key) for key in fields if current is not None and hasattr(current, key)}
    if current is not None:
        merged.update(current.filters)
    merged.update({k: v for k, v in data.items() if k in fields})
    out: dict[str, Any] = {}
    try:
        out["name"] = v.clean({"name": v.text(200, required=True)}, {"name": merged.get("name")})["name"]
    except ValidationError as problem:
        errors.update(problem.fields)
    try:
        request = generate.clean_request({"period": "2000-01", "sections": merged.get("sections"),
                                          "exhibition_id": merged.get("exhibition_id"),
                                          "manager_id": merged.get("manager_id"),
                                          **{key: merged.get(key) for key in plugin_filters}})
        out["sections"], out["filters"] = request["sections"], request["filters"]
    except ValidationError as problem:
        errors.update(problem.fields)
    user_ids = [] if merged.get("recipient_user_ids") is None else merged["recipient_user_ids"]
    if current is not None and "recipient_user_ids" not in data:
        # someone who has left since is dropped quietly, not held against an unrelated change
        user_ids = list(db.session().scalars(select(User.id).where(User.id.in_(user_ids), User.active)))
    emails = [] if merged.get("recipient_emails") is None else merged["recipient_emails"]
    if not isinstance(user_ids, list) or any(v.parse_id(i) is None for i in user_ids):
        errors["recipient_user_ids"] = str(_l("A list of user ids."))
    else:
        found = set(db.session().scalars(select(User.id).where(User.id.in_([int(i) for i in user_ids]), User.active)))
        if missing := [i for i in user_ids if int(i) not in found]:
            errors["recipient_user_ids"] = str(_l("No such users: %(ids)s.", ids=", ".join(map(str, missing))))
        out["recipient_user_ids"] = sorted(found)
    if not isinstance(emails, list) or not all(isinstance(e, str) for e in emails):
        errors["recipient_emails"] = str(_l("A list of e-mail addresses."))
    else:
        cleaned, bad = [], []
        for address in emails:
            try:
                cleaned.append(v.email().convert(address))
            except v.Invalid:
                bad.append(address)
        if bad:
            errors["recipient_emails"] = str(_l("Not valid e-mail addresses: %(list)s.", list=", ".join(bad)))
        out["recipient_emails"] = cleaned
    if not errors.get("recipient_user_ids") and not errors.get("recipient_emails") \
            and not out.get("recipient_user_ids") and not out.get("recipient_emails"):
        errors["recipients"] = str(_l("A subscription needs at least one recipient."))
    if sum(len(x) for x in (user_ids, emails) if isinstance(x, list)) > MAX_RECIPIENTS:
        errors["recipients"] = str(_l("At most %(n)d recipients.", n=MAX_RECIPIENTS))
    frequency = merged.get("frequency")
    if frequency not in FREQUENCIES:
        errors["frequency"] = str(_l("Must be one of: %(options)s.", options=", ".join(FREQUENCIES)))
    out["frequency"] = frequency
    weekday, day = merged.get("weekday"), merged.get("day")
    if frequency == "weekly":
        if isinstance(weekday, bool) or str(weekday) not in {str(i) for i in range(7)}:
            errors["weekday"] = str(_l("A weekday: 0 (Monday) to 6 (Sunday)."))
        else:
            out["weekday"], out["day"] = int(weekday), None
    elif frequency == "monthly":
        if isinstance(day, bool) or str(day) not in {str(i) for i in range(1, 29)}:
            errors["day"] = str(_l("A day of the month from 1 to 28."))
        else:
            out["day"], out["weekday"] = int(day), None
    at_time = merged.get("at_time")
    at_time = "08:00" if at_time is None or at_time == "" else at_time
    if not isinstance(at_time, str) or not _TIME.fullmatch(at_time):
        errors["at_time"] = str(_l("A time of day, HH:MM."))
    out["at_time"] = at_time
    starts_on = merged.get("starts_on")
    if starts_on not in (None, ""):
        starts = v.parse_date(starts_on)
        if starts is None:
            errors["starts_on"] = str(_l("Not a date (YYYY-MM-DD)."))
        elif "starts_on" in data and starts < clock.now().astimezone(firm_zone()).date():
            errors["starts_on"] = str(_l("The schedule cannot start in the past."))
        out["starts_on"] = starts
    else:
        out["starts_on"] = None
    active = merged.get("active", True)
    if not isinstance(active, bool) and active not in ("on", "true", "false", "0", "1"):
        errors["active"] = str(_l("Must be true or false."))
    out["active"] = active in (True, "on", "true", "1")
    if errors:
        raise ValidationError(fields=errors)
    return out


def create_subscription(data: Mapping[str, Any], user: Actor) -> ReportSubscription:
    access.require_assign(user)
    subscription = ReportSubscription(**_check(data, None), created_by_id=user.id,
                                      created_at=clock.now(), schedule_changed_at=clock.now())
    db.session().add(subscription)
    db.session().flush()
    audit.record("create", "subscription", subscription.id, user, name=subscription.name)
    return subscription


def update_subscription(subscription: ReportSubscription, data: Mapping[str, Any], user: Actor) -> None:
    access.require_assign(user)
    changes = apply_changes(subscription, _check(data, subscription))
    if changes.keys() & SCHEDULE_FIELDS:
        subscription.schedule_changed_at = clock.now()
    if changes:
        db.session().flush()
        audit.record("update", "subscription", subscription.id, user, changes=changes)


def delete_subscription(subscription: ReportSubscription, user: Actor) -> None:
    access.require_assign(user)
    audit.record("delete", "subscription", subscription.id, user, name=subscription.name)
    db.session().delete(subscription)
    db.session().flush()


def get_subscription(subscription_id: int) -> ReportSubscription:
    subscription = db.session().get(ReportSubscription, subscription_id)
    if subscription is None:
        raise NotFound()
    return subscription


def last_occurrence(subscription: ReportSubscription, now: datetime) -> datetime | None:
    """The latest due moment at or before ``now`` (in the firm's zone), None before the start."""
    zone = firm_zone()
    local = now.astimezone(zone)
    hour, minute = map(int, subscription.at_time.split(":"))
    at = time(hour, minute)
    if subscription.frequency == "weekly":
        day = local.date() - timedelta(days=(local.weekday() - subscription.weekday) % 7)
        due = datetime.combine(day, at, zone)
        if due > local:
            due -= timedelta(days=7)
    else:
        due = datetime.combine(local.date().replace(day=subscription.day), at, zone)
        if due > local:
            month_before = (local.date().replace(day=1) - timedelta(days=1)).replace(day=subscription.day)
            due = datetime.combine(month_before, at, zone)
    if subscription.starts_on and due.date() < subscription.starts_on:
        return None
    return due


def report_period(subscription: ReportSubscription, due: datetime) -> str:
    current = period_of(due)
    return previous_period(current) if subscription.frequency == "monthly" else current


def run_due_subscriptions() -> int:
    """Scheduled every few minutes: queue a delivery for each subscription whose occurrence is due."""
    now = clock.now()
    queued = 0
    for subscription in db.session().scalars(select(ReportSubscription).where(ReportSubscription.active)):
        due = last_occurrence(subscription, now)
        if due is None or due < subscription.schedule_changed_at:
            continue  # occurrences before the subscription (or its current schedule) existed are not owed
        occurrence = due.isoformat()
        exists = db.session().scalar(select(ReportDelivery.id).where(
            ReportDelivery.subscription_id == subscription.id, ReportDelivery.occurrence == occurrence))
        if exists is None:
            _queue_delivery(subscription.id, occurrence)
            queued += 1
    return queued


def send_now(subscription: ReportSubscription, user: Actor) -> str:
    """``expo reports send ID`` and the "send now" button: a manual occurrence, for the current period."""
    access.require_assign(user)
    jobs.require_queue()  # the user waits for this mailing: Redis down is a 503 now, not a silent delay
    occurrence = f"manual-{clock.now().isoformat()}"
    audit.record("send", "subscription", subscription.id, user, occurrence=occurrence)
    _queue_delivery(subscription.id, occurrence)
    return occurrence


def resend(delivery: ReportDelivery, user: Actor) -> None:
    """Try a failed delivery again (same occurrence)."""
    access.require_assign(user)
    if delivery.state != "failed":
        raise Conflict(_l("Only a failed delivery can be sent again."))
    jobs.require_queue()
    audit.record("resend", "delivery", delivery.id, user)
    _queue_delivery(delivery.subscription_id, delivery.occurrence)


def _queue_delivery(subscription_id: int, occurrence: str) -> None:
    from rq import Retry

    # SMTP down: RQ retries with back-off; the delivery row shows the last error meanwhile.
    jobs.enqueue_after_commit(DELIVER_JOB, rq_options={"job_timeout": 900, "retry": Retry(max=3, interval=[60, 300, 900])},
                              subscription_id=subscription_id, occurrence=occurrence)


def _claim(subscription: ReportSubscription, occurrence: str) -> ReportDelivery | None:
    """Take this occurrence's delivery on; None when it is sent, or another worker has it."""
    session = db.session()
    now = clock.now()
    delivery = session.scalar(select(ReportDelivery).where(ReportDelivery.subscription_id == subscription.id,
                                                           ReportDelivery.occurrence == occurrence))
    if delivery is None:
        due = now if occurrence.startswith("manual-") else datetime.fromisoformat(occurrence)
        delivery = ReportDelivery(subscription_id=subscription.id, occurrence=occurrence, state="sending",
                                  period=report_period(subscription, due), claimed_at=now, created_at=now)
        session.add(delivery)
        try:
            db.commit()
        except IntegrityError:  # another worker created (and so claimed) it a moment ago
            db.rollback()
            return None
        return delivery
    # One atomic UPDATE decides between workers: a failed delivery, or one abandoned mid-way.
    claimed = session.execute(
        update(ReportDelivery)
        .where(ReportDelivery.id == delivery.id,
               (ReportDelivery.state == "failed")
               | ((ReportDelivery.state == "sending") & (ReportDelivery.claimed_at < now - CLAIM_TIMEOUT)))
        .values(state="sending", claimed_at=now)
    ).rowcount
    db.commit()
    if claimed != 1:
        return None
    session.refresh(delivery)
    return delivery


def deliver(subscription_id: int, occurrence: str) -> str:
    """The job: generate the report and mail it; failures are recorded (and retried on RQ)."""
    subscription = db.session().get(ReportSubscription, subscription_id)
    if subscription is None:
        return "gone"
    delivery = _claim(subscription, occurrence)
    if delivery is None:
        return "sent or being sent"
    delivery.attempts += 1
    try:
        report = delivery.report_id and db.session().get(Report, delivery.report_id)
        if not report:
            report = Report(title=subscription.name, period=delivery.period, sections=subscription.sections,
                            filters=subscription.filters, state="queued", created_at=clock.now())
            db.session().add(report)
            db.session().flush()
            delivery.report_id = report.id
            db.commit()
        if report.state != "done" or not generate.file_path(report).exists():
            generate.run(report.id)  # the same job code; its file is replaced on a re-run
        mail.send(_message(subscription, report))
    except Exception as problem:
        db.rollback()
        delivery.state, delivery.error = "failed", f"{type(problem).__name__}: {problem}"[:2000]
        db.commit()
        raise
    delivery.state, delivery.sent_at, delivery.error = "sent", clock.now(), None
    db.commit()
    return "sent"


def recipients(subscription: ReportSubscription) -> list[str]:
    users = db.session().scalars(select(User.email).where(User.id.in_(subscription.recipient_user_ids),
                                                          User.active)).all() if subscription.recipient_user_ids else []
    return sorted(set(users) | set(subscription.recipient_emails))


def _message(subscription: ReportSubscription, report: Report):
    figures = summary_data(report.period, report.filters)["totals"]
    context = {"subscription": subscription, "report": report, "figures": figures,
               "sections": [available_sections()[k].title for k in report.sections if k in available_sections()],
               "base_url": current_app.config["BASE_URL"]}
    subject = str(_l("%(name)s — %(period)s", name=subscription.name, period=period_label(report.period)))
    return mail.build_message(
        recipients(subscription), subject,
        render_template("reports/mail.txt", **context), render_template("reports/mail.html", **context),
        attachments=[(f"{subscription.name}-{report.period}.pdf".replace("/", "-"), "application/pdf",
                      generate.file_path(report).read_bytes())],
    )


def all_subscriptions() -> list[ReportSubscription]:
    return db.session().scalars(select(ReportSubscription).order_by(ReportSubscription.name)).all()


def failed_deliveries(limit: int) -> list[ReportDelivery]:
    """The newest deliveries that failed for good (admins resend them from the reports page)."""
    return db.session().scalars(select(ReportDelivery).where(ReportDelivery.state == "failed")
                                .order_by(ReportDelivery.id.desc()).limit(limit)).all()
