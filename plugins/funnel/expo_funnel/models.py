"""The plugin's tables: counts of the core's step log and engagements, kept in step by the hooks.

Each row sums one *key* — a scenario version, an exhibition, a manager (NULL: unassigned) — so
an unfiltered funnel, or one narrowed by exhibition or manager, adds up a few hundred rows
instead of millions (docs/decisions/0019-funnel.md). They are a cache of the log: every change
of an engagement recomputes its key from the log (``counts.recompute``), the nightly job and
``expo funnel rebuild`` rebuild them all, and a funnel with a period or client filter reads the
log itself. Engagements of clients in the deletion grace period are counted here and subtracted
when read, as the log path leaves them out.

- ``funnel_step_counts``: per key and step, first entries and engagements there now;
- ``funnel_result_counts``: per key, step and result, the engagements that closed there with it;
- ``funnel_month_counts``: per key and month of closing (NULL: still open), engagements, won,
  Σ contract of the won, Σ expected, Σ days from opening to result.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from sqlalchemy import Float, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from expo.hooks import models

KEY = ("scenario_id", "exhibition_id", "manager_id")


class StepCount(models.Base):
    __tablename__ = "funnel_step_counts"
    __table_args__ = (Index("ix_funnel_step_counts_key", *KEY),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(Integer)
    exhibition_id: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[Optional[int]] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(100))
    entered: Mapped[int] = mapped_column(Integer, default=0)
    in_progress: Mapped[int] = mapped_column(Integer, default=0)


class ResultCount(models.Base):
    __tablename__ = "funnel_result_counts"
    __table_args__ = (Index("ix_funnel_result_counts_key", *KEY),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(Integer)
    exhibition_id: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[Optional[int]] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(100))
    result: Mapped[Optional[str]] = mapped_column(String(100))
    result_kind: Mapped[Optional[str]] = mapped_column(String(20))
    result_reason: Mapped[Optional[str]] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer, default=0)


class MonthCount(models.Base):
    __tablename__ = "funnel_month_counts"
    __table_args__ = (Index("ix_funnel_month_counts_key", *KEY),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario_id: Mapped[int] = mapped_column(Integer)
    exhibition_id: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[Optional[int]] = mapped_column(Integer)
    month: Mapped[Optional[str]] = mapped_column(String(7))
    engagements: Mapped[int] = mapped_column(Integer, default=0)
    won: Mapped[int] = mapped_column(Integer, default=0)
    won_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    expected_amount: Mapped[Decimal] = mapped_column(Numeric(16, 2), default=0)
    cycle_days: Mapped[float] = mapped_column(Float, default=0)  # Σ over the closed ones
