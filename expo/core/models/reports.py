"""Generated reports, report subscriptions (scheduled mailings) and their deliveries."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

REPORT_STATES = ("queued", "running", "done", "failed")
FREQUENCIES = ("weekly", "monthly")


class Report(Base):
    """One generation of a report: what was asked, how the job went, where the PDF is."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    sections: Mapped[list[str]] = mapped_column(JSON)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    error: Mapped[Optional[str]] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[Optional[str]] = mapped_column(String(200))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class ReportSubscription(Base):
    """A scheduled mailing: which sections, for whom, how often (in the firm's time zone)."""

    __tablename__ = "report_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    sections: Mapped[list[str]] = mapped_column(JSON)
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recipient_user_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    recipient_emails: Mapped[list[str]] = mapped_column(JSON, default=list)
    frequency: Mapped[str] = mapped_column(String(10))
    weekday: Mapped[Optional[int]] = mapped_column(Integer)  # 0 = Monday, for weekly
    day: Mapped[Optional[int]] = mapped_column(Integer)  # 1–28, for monthly
    at_time: Mapped[str] = mapped_column(String(5), default="08:00")  # HH:MM, firm's time zone
    starts_on: Mapped[Optional[date]] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Occurrences due before this are not owed: set at creation and when the schedule changes,
    # so editing or re-activating never mails an old occurrence.
    schedule_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deliveries: Mapped[list["ReportDelivery"]] = relationship(
        back_populates="subscription", cascade="all, delete-orphan", order_by="ReportDelivery.id.desc()"
    )


class ReportDelivery(Base):
    """One mailing of a subscription for one occurrence; unique, so nothing is ever sent twice."""

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "occurrence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("report_subscriptions.id", ondelete="CASCADE"))
    occurrence: Mapped[str] = mapped_column(String(40))  # the due moment it answers, ISO, or "manual-…"
    period: Mapped[str] = mapped_column(String(7))
    report_id: Mapped[Optional[int]] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(10), default="sending")  # sending / sent / failed
    error: Mapped[Optional[str]] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # when a worker took it on
    sent_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    subscription: Mapped[ReportSubscription] = relationship(back_populates="deliveries")
