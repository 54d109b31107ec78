"""The plugin's tables: each engagement's budget, the history of every change, and the periods.

- ``planning_budgets``: one row per planned engagement — the period (``YYYY-MM``) it is planned
  for, the *planned* amount (planners), the *refined* amount (the latest refinement; NULL until
  the first one, then the current estimate). The *actual* amount is not stored here: it is the
  core's ``engagements.contract_amount`` of a won engagement, so the core and the plugin never
  disagree (docs/decisions/0020-planning.md).
- ``planning_changes``: every change of a budget, oldest first — who, when, which amount
  (``planned``, ``refined`` or ``actual``), old and new, the period and a comment.
- ``planning_periods``: per month, the firm's target and whether a planner closed it (a closed
  period's refinements and actuals are final).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expo.hooks import models

AMOUNT = Numeric(14, 2, asdecimal=True)  # the core's money type: sums exact to the kopeck
KINDS = ("planned", "refined", "actual")


class Budget(models.Base):
    __tablename__ = "planning_budgets"
    __table_args__ = (Index("ix_planning_budgets_period", "period", "engagement_id"),)

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    planned: Mapped[Decimal] = mapped_column(AMOUNT)
    refined: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)
    updated_at: Mapped[datetime] = mapped_column(models.UTCDateTime)


class BudgetChange(models.Base):
    __tablename__ = "planning_changes"
    __table_args__ = (Index("ix_planning_changes_engagement", "engagement_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[Optional[str]] = mapped_column(String(7))
    old_amount: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)
    amount: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)
    comment: Mapped[Optional[str]] = mapped_column(Text)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(models.UTCDateTime)


class Period(models.Base):
    __tablename__ = "planning_periods"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    target: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)
    closed_at: Mapped[Optional[datetime]] = mapped_column(models.UTCDateTime)
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
