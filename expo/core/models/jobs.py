"""The job outbox: jobs queued in a transaction, kept until a worker has run them."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow


class PendingJob(Base):
    """A job written in the same transaction as the change it follows (the transactional outbox).

    It is handed to RQ (or run in-process) after the commit and deleted once it ran; while Redis
    is down it waits here, and a drain hands it over when Redis is back. A worker claims it before
    running, so a job handed over twice still runs once.
    """

    __tablename__ = "job_outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    func: Mapped[str] = mapped_column(String(200))
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # job_timeout, retry (RQ only)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    handed_over_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # pushed to RQ
    claimed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # a worker is running it
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[Optional[str]] = mapped_column(Text)
    failed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)  # gave up: kept for the operator
