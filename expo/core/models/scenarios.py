"""Scenarios (versioned definitions of the regulated process) and the step log.

A scenario *lineage* is all versions of one scenario; ``Scenario`` is one immutable-once-used
version. Editing a version that engagements already use creates the next version; running
engagements keep theirs (``Engagement.scenario_id`` points at a version).
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

ESCALATION_ROLES = ("manager", "planner", "admin")


class Scenario(Base):
    __tablename__ = "scenarios"
    __table_args__ = (
        UniqueConstraint("lineage_id", "version"),
        # At most one default scenario, even when two first engagements install it at once.
        Index("uq_scenarios_default", "is_default", unique=True, sqlite_where=text("is_default"),
              postgresql_where=text("is_default")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The id of the lineage's first version (its own id for version 1).
    lineage_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    name: Mapped[str] = mapped_column(String(200))
    # Only the newest version of a lineage is current; new engagements use current versions.
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    # A saved version is a draft until a planner publishes it: only published versions are
    # offered to new engagements (None = draft).
    published_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    steps: Mapped[list["ScenarioStep"]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", order_by="ScenarioStep.position"
    )
    results: Mapped[list["ScenarioResult"]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", order_by="ScenarioResult.position"
    )

    def step(self, key: str | None) -> "ScenarioStep | None":
        return next((s for s in self.steps if s.key == key), None)

    def result(self, key: str | None) -> "ScenarioResult | None":
        return next((r for r in self.results if r.key == key), None)


class ScenarioStep(Base):
    __tablename__ = "scenario_steps"
    __table_args__ = (UniqueConstraint("scenario_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)

    scenario: Mapped[Scenario] = relationship(back_populates="steps")
    actions: Mapped[list["ScenarioAction"]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="ScenarioAction.position", lazy="selectin"
    )
    outcomes: Mapped[list["ScenarioOutcome"]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="ScenarioOutcome.position", lazy="selectin"
    )

    def outcome(self, key: str) -> "ScenarioOutcome | None":
        return next((o for o in self.outcomes if o.key == key), None)


class ScenarioAction(Base):
    __tablename__ = "scenario_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("scenario_steps.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    instructions: Mapped[Optional[str]] = mapped_column(Text)
    deadline_days: Mapped[int] = mapped_column(Integer, default=0)
    hard: Mapped[bool] = mapped_column(Boolean, default=False)
    escalate_to: Mapped[Optional[str]] = mapped_column(String(20))
    document_template: Mapped[Optional[str]] = mapped_column(Text)

    step: Mapped[ScenarioStep] = relationship(back_populates="actions")


class ScenarioOutcome(Base):
    __tablename__ = "scenario_outcomes"
    __table_args__ = (UniqueConstraint("step_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("scenario_steps.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    next_step: Mapped[Optional[str]] = mapped_column(String(100))  # a step key, or
    result: Mapped[Optional[str]] = mapped_column(String(100))  # a result key

    step: Mapped[ScenarioStep] = relationship(back_populates="outcomes")


class ScenarioResult(Base):
    __tablename__ = "scenario_results"
    __table_args__ = (UniqueConstraint("scenario_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[Optional[str]] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    # Reaching this result asks for the contract amount (a won result: reports then never show
    # "won 1, amount —").
    requires_amount: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    scenario: Mapped[Scenario] = relationship(back_populates="results")


# What the funnel reads from a step-log row (INCLUDEd in the index by engagement on PostgreSQL).
STEP_LOG_FUNNEL_COLUMNS = ["scenario_id", "exhibition_id", "manager_id", "step", "first_entry", "left_at",
                           "closing", "result", "result_kind", "result_reason"]


class StepLog(Base):
    """One row per entry into a step: the fact table of every analytic.

    Denormalised from the engagement (exhibition, manager, scenario version, and the result the
    engagement reached) by the services that change those, so the funnel is one indexed scan.
    """

    __tablename__ = "step_log"
    # The funnel counts three kinds of rows — first entries, the rows engagements are on now, the
    # rows they closed from — each from its own partial index, read alone on PostgreSQL (INCLUDE
    # carries what the filters and the managers' matrix need; docs/performance.md).
    __table_args__ = (
        Index("ix_step_log_entries", "scenario_id", "exhibition_id", "step",
              postgresql_include=["manager_id", "engagement_id"], postgresql_where=text("first_entry"),
              sqlite_where=text("first_entry")),
        Index("ix_step_log_current", "scenario_id", "exhibition_id", "step",
              postgresql_include=["manager_id", "engagement_id"], postgresql_where=text("left_at IS NULL"),
              sqlite_where=text("left_at IS NULL")),
        Index("ix_step_log_closing", "scenario_id", "exhibition_id", "step", "result", "result_kind", "result_reason",
              postgresql_include=["manager_id", "engagement_id"], postgresql_where=text("closing"),
              sqlite_where=text("closing")),
        # An engagement's history; and on PostgreSQL the funnel's rows of a few engagements (a period,
        # a client filter) read from it alone.
        Index("ix_step_log_engagement", "engagement_id", "entered_at", postgresql_include=STEP_LOG_FUNNEL_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    exhibition_id: Mapped[int] = mapped_column(ForeignKey("exhibitions.id"))
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    step: Mapped[str] = mapped_column(String(100))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    left_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    left_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Optional[str]] = mapped_column(String(100))
    result: Mapped[Optional[str]] = mapped_column(String(100))
    result_kind: Mapped[Optional[str]] = mapped_column(String(20))
    result_reason: Mapped[Optional[str]] = mapped_column(String(100))
    # The engagement's first entry into this step (a loop back to it is not): counting these
    # counts each engagement once per step, without count(DISTINCT).
    first_entry: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The row the engagement closed from (its result is set on every row; this says where). A
    # reopen clears it, and the row the engagement closes from next time gets it.
    closing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # What the person who chose the outcome said about it (asked when the outcome closes).
    comment: Mapped[Optional[str]] = mapped_column(Text)
