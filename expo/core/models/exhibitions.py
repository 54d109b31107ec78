"""Exhibitions the firm sells for, and the engagement of each client in each of them."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, Money, UTCDateTime, utcnow
from .clients import Client
from .scenarios import Scenario
from .users import User

ENGAGEMENT_STATES = ("open", "won", "lost", "declined")
RESULT_KINDS = ("won", "lost", "declined")


class Exhibition(Base):
    __tablename__ = "exhibitions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[Optional[str]] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date, index=True)
    ends_on: Mapped[date] = mapped_column(Date)
    sales_start_on: Mapped[Optional[date]] = mapped_column(Date)
    sales_end_on: Mapped[Optional[date]] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# What the funnel's conversion and cross-statistics read from an engagement (INCLUDEd in its indexes).
FUNNEL_COLUMNS = ["id", "manager_id", "state", "opened_at", "closed_at", "expected_amount", "contract_amount"]


class Engagement(Base):
    """The work with one client for one exhibition.

    ``scenario_id`` / ``step`` / ``result`` are filled by the scenario engine; ``version`` is the
    optimistic-lock counter that lets a stale form or a concurrent click be detected.
    """

    __tablename__ = "engagements"
    __table_args__ = (
        UniqueConstraint("client_id", "exhibition_id"),
        # an exhibition's engagements by state, and per manager (board counts, managers' load)
        Index("ix_engagements_exhibition_state", "exhibition_id", "state", "manager_id",
              postgresql_include=["client_id"]),
        Index("ix_engagements_manager_state", "manager_id", "state"),
        # Conversion and cross-statistics read these alone on PostgreSQL (docs/performance.md).
        Index("ix_engagements_funnel_scenario", "scenario_id", "exhibition_id",
              postgresql_include=FUNNEL_COLUMNS),
        Index("ix_engagements_funnel_manager", "manager_id", "scenario_id", postgresql_include=FUNNEL_COLUMNS),
        # The board: each column's first cards are one range of this (newest first), and its
        # counts and sums an index-only scan on PostgreSQL (expo.core.queries.board).
        Index("ix_engagements_board", "exhibition_id", "scenario_id", "state", "step", "opened_at",
              postgresql_include=["client_id", "manager_id", "result", "expected_amount", "contract_amount"]),
        # The open ones (a tenth): the start page counts them (with the client, to leave the deleted out).
        Index("ix_engagements_open", "client_id", postgresql_where=text("state = 'open'"),
              sqlite_where=text("state = 'open'")),
        # A scenario's engagements opened in a period (the funnel's period filter, its widget).
        Index("ix_engagements_opened", "scenario_id", "opened_at",
              postgresql_include=["id", "exhibition_id", "manager_id", "client_id"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id"))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    scenario_id: Mapped[Optional[int]] = mapped_column(ForeignKey("scenarios.id"), index=True)
    step: Mapped[Optional[str]] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")
    result: Mapped[Optional[str]] = mapped_column(String(100))
    expected_amount: Mapped[Optional[Decimal]] = mapped_column(Money)
    contract_amount: Mapped[Optional[Decimal]] = mapped_column(Money)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    # Set when planners were told the engagement stalled; cleared by new activity or a step change.
    stalled_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    client: Mapped[Client] = relationship(lazy="joined")
    exhibition: Mapped[Exhibition] = relationship(lazy="joined")
    manager: Mapped[Optional[User]] = relationship(lazy="joined")
    scenario: Mapped[Optional[Scenario]] = relationship()

    __mapper_args__ = {"version_id_col": version}


class EngagementCount(Base):
    """How many engagements of an exhibition a manager has in each state, those of deleted clients
    left out: the exhibitions list's numbers, which grouping 1 M engagements took 130–680 ms to
    count. Kept by ``expo.core.services.engagement_counts`` in the transaction of every change of
    an engagement's state or manager and of a client's deletion or restoration; rebuilt after a
    bulk load (docs/decisions/0024-engagement-counts.md)."""

    __tablename__ = "engagement_counts"

    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id", ondelete="CASCADE"), primary_key=True)
    manager_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: none (a key part cannot be NULL)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
