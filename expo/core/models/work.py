"""What is done with clients: logged activities, tasks, and the audit trail."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .clients import Client
from .users import User

ACTIVITY_KINDS = ("call", "email", "meeting", "presentation", "offer", "note")


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_client_time", "client_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    engagement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    author: Mapped[Optional[User]] = relationship(lazy="joined")
    client: Mapped[Client] = relationship()


class Task(Base):
    """A dated to-do. Tasks made from a step's actions carry the action's deadline and escalation.

    Open = neither done nor cancelled; leaving a step cancels its open tasks.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        # Only partial indexes read the open tasks: SQLite misjudges "done_at IS NULL" in any index
        # keyed by done_at and then reads every task not done (migration 0013).
        # the hard deadlines still open (the escalation job), and all of a month's (the report)
        Index("ix_tasks_hard_open", "hard_deadline", "escalated_at", "due_on",
              postgresql_where=text("done_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("done_at IS NULL AND cancelled_at IS NULL")),
        Index("ix_tasks_hard_due", "hard_deadline", "due_on"),
        # the open ones (a few per cent of all) by assignee and due date: who is late with what
        Index("ix_tasks_open_assignee_due", "assignee_id", "due_on", "id", postgresql_include=["client_id"],
              postgresql_where=text("done_at IS NULL AND cancelled_at IS NULL"),
              sqlite_where=text("done_at IS NULL AND cancelled_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # None when the engagement has no manager yet: planners see such tasks as unassigned.
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    engagement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    action_id: Mapped[Optional[int]] = mapped_column(ForeignKey("scenario_actions.id", ondelete="SET NULL"))
    step_log_id: Mapped[Optional[int]] = mapped_column(ForeignKey("step_log.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[Optional[str]] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    hard_deadline: Mapped[bool] = mapped_column(default=False)
    escalate_to: Mapped[Optional[str]] = mapped_column(String(20))
    done_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    escalated_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Optional[Client]] = relationship(lazy="joined")

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None


class Notification(Base):
    """An in-app message to one user (escalations, stalled engagements); also mailed."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[Optional[str]] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who did what to which object, kept forever (exports and deletes included)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(50))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[Optional[int]] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
