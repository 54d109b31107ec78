"""What is done with clients: logged activities, tasks, and the audit trail."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
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
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assignee_due", "assignee_id", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    engagement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("engagements.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    hard_deadline: Mapped[bool] = mapped_column(default=False)
    done_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
