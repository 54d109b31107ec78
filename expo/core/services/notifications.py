"""In-app notifications, each also mailed (through a job after the commit)."""
from __future__ import annotations

import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from expo.core import clock, db, validation as v
from expo.core.errors import ValidationError
from expo.core.jobs import enqueue_after_commit
from expo.core.models import Notification, User

_KIND = re.compile(r"[a-z0-9_.-]{1,30}")
NOTIFICATION_FIELDS = {"text": v.text(2000, required=True, multiline=True), "url": v.text(300)}


def people_for(role: str, assignee_id: int | None) -> list[User]:
    """Who an escalation goes to: the task's manager, or every active planner / admin."""
    if role == "manager":
        user = db.session().get(User, assignee_id) if assignee_id else None
        return [user] if user and user.active else people_for("planner", None)
    return list(db.session().scalars(select(User).where(User.role == role, User.active).order_by(User.id)))


def notify(users: list[User], kind: str, text, url: str | None) -> None:
    """Tell each of ``users`` (in the app, and by mail after the commit). ``kind`` is a short key
    (``"escalation"``, ``"planning.assigned"``), ``url`` a path on this site or None."""
    values = v.clean(NOTIFICATION_FIELDS, {"text": str(text), "url": url})
    problems = {}
    if not isinstance(kind, str) or not _KIND.fullmatch(kind):
        problems["kind"] = str(_l("A short key: lower-case letters, digits, '.', '_' or '-'."))
    if values.get("url") and (not values["url"].startswith("/") or values["url"].startswith("//")):
        problems["url"] = str(_l("A path on this site, starting with /."))
    if problems:
        raise ValidationError(fields=problems)
    for user in users:
        note = Notification(user_id=user.id, kind=kind, text=values["text"], url=values.get("url"),
                            created_at=clock.now())
        db.session().add(note)
        db.session().flush()
        enqueue_after_commit("expo.core.services.notifications:mail_notification", notification_id=note.id)


def mail_notification(notification_id: int) -> None:
    """Job: mail one notification to its user."""
    from expo.core import mail

    note = db.session().get(Notification, notification_id)
    if note is None:
        return
    user = db.session().get(User, note.user_id)
    link = f"\n\n{current_app.config['BASE_URL']}{note.url}" if note.url else ""
    mail.send(mail.build_message([user.email], f"Expo: {note.text[:120]}", note.text + link))


def unread_count(user: User) -> int:
    return db.session().scalar(select(func.count(Notification.id))
                               .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user: User) -> None:
    user.unread_notifications = 0  # the layout's count, read with the session, is now stale
    db.session().execute(update(Notification).where(Notification.user_id == user.id,
                                                    Notification.read_at.is_(None)).values(read_at=clock.now()))


def recent(user: User, limit: int) -> list[Notification]:
    return db.session().scalars(select(Notification).where(Notification.user_id == user.id)
                                .order_by(Notification.id.desc()).limit(limit)).all()
