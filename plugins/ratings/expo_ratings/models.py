"""The plugin's tables, all prefixed ``ratings_`` (migrations in ``migrations/versions``).

- ``ratings_rules``: the rule set, result → points (by result key, or by kind + reason).
- ``ratings_engagements``: per engagement, its status rating (from the rules, once it is closed)
  and its exhibition rating (set by a planner).
- ``ratings_clients``: per client, the personal rating and two maintained sums — the status
  ratings of all its engagements, and ``total`` = status + personal, the sort key of the lists
  (kept in the same transaction as every change, so ranking 200 000 clients reads one column).
- ``ratings_changes``: every change of any rating, forever: who, when, old → new, and why.
- ``ratings_recomputations``: each run of the recomputation, with its progress; the migration
  that creates the tables leaves a *pending* run in it, the marker of "enabled for the first
  time" that gives the firm's history its status ratings (docs/decisions/0013-ratings.md).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expo.hooks import models

COMPONENTS = ("status", "exhibition", "personal")
# Why a rating changed: a rule on closing, a person, a recomputation, or a reopen withdrawing it.
CAUSES = ("rule", "manual", "recomputation", "reopen")
RUN_STATES = ("pending", "queued", "running", "done", "failed")
RUN_TRIGGERS = ("enabled", "rules", "button", "command")


class RatingRule(models.Base):
    """One rule: a result key, or a kind with an optional reason, and its points.

    Exactly one of ``result_key`` / ``kind`` is set; ``reason`` only with ``kind``.
    """

    __tablename__ = "ratings_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_key: Mapped[Optional[str]] = mapped_column(String(100))
    kind: Mapped[Optional[str]] = mapped_column(String(20))
    reason: Mapped[Optional[str]] = mapped_column(String(100))
    points: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class EngagementRating(models.Base):
    __tablename__ = "ratings_engagements"

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    # None while the engagement is open, or when no rule matches its result.
    status: Mapped[Optional[int]] = mapped_column(Integer)
    exhibition: Mapped[int] = mapped_column(Integer, default=0)


class ClientRating(models.Base):
    __tablename__ = "ratings_clients"

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    personal: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[int] = mapped_column(Integer, default=0)  # Σ the status ratings of its engagements
    total: Mapped[int] = mapped_column(Integer, default=0, index=True)  # status + personal


class RatingChange(models.Base):
    __tablename__ = "ratings_changes"
    __table_args__ = (Index("ix_ratings_changes_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(models.UTCDateTime, default=models.utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # None: system
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    engagement_id: Mapped[Optional[int]] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"),
                                                         index=True)
    component: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[Optional[int]] = mapped_column(Integer)
    new_value: Mapped[Optional[int]] = mapped_column(Integer)
    cause: Mapped[str] = mapped_column(String(20))
    note: Mapped[Optional[str]] = mapped_column(String(200))  # the result key a status rating came from


class Recomputation(models.Base):
    __tablename__ = "ratings_recomputations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(models.UTCDateTime, default=models.utcnow)
    started_at: Mapped[Optional[datetime]] = mapped_column(models.UTCDateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(models.UTCDateTime)
    total: Mapped[int] = mapped_column(Integer, default=0)  # clients to go through
    done: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)  # status ratings that changed
    error: Mapped[Optional[str]] = mapped_column(Text)

    @property
    def active(self) -> bool:
        return self.state in ("pending", "queued", "running")

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0
