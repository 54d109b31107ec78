"""The plugin's tables: each engagement's budget, the history of every change, and the periods.

- ``planning_budgets``: one row per planned engagement — the period (``YYYY-MM``) it is planned
  for, the *planned* amount (planners), the *refined* amount (the latest refinement; NULL until
  the first one, then the current estimate). The *actual* amount is the core's
  ``engagements.contract_amount`` of a won engagement, so the core and the plugin never disagree
  (docs/decisions/0020-planning.md); the row carries a copy of it and of the engagement's client,
  exhibition, manager and state, kept by the hooks (``sync``), so that plan vs fact sums one
  narrow table by index instead of joining a million engagements.
- ``planning_changes``: every change of a budget, oldest first — who, when, which amount
  (``planned``, ``refined`` or ``actual``), old and new, the period and a comment.
- ``planning_periods``: per month, the firm's target and whether a planner closed it (a closed
  period's refinements and actuals are final).
- ``planning_months``: per month, the whole firm's plan vs fact (the sums of ``queries.Fact``),
  recomputed from the budgets whenever one of that month changes (``months.recount``): the
  firm-wide trend and the recommendation's basis read a row per month instead of every budget.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from expo.hooks import models

AMOUNT = Numeric(14, 2, asdecimal=True)  # the core's money type: sums exact to the kopeck
KINDS = ("planned", "refined", "actual")
COVERED = ("planned", "refined", "actual", "state", "client_id", "manager_id", "exhibition_id")


class Budget(models.Base):
    __tablename__ = "planning_budgets"
    # Each index carries the columns plan vs fact sums (INCLUDE on PostgreSQL), so a period, an
    # exhibition's or a manager's budgets are read from the index alone.
    __table_args__ = (*(
        Index(f"ix_planning_budgets_{name}", *key, postgresql_include=[c for c in COVERED if c not in key])
        for name, key in (("period", ("period",)), ("exhibition", ("exhibition_id", "period")),
                          ("manager", ("manager_id", "period")))),
        Index("ix_planning_budgets_client", "client_id"))  # a deleted client's budgets

    engagement_id: Mapped[int] = mapped_column(ForeignKey("engagements.id", ondelete="CASCADE"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7))
    planned: Mapped[Decimal] = mapped_column(AMOUNT)
    refined: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)
    updated_at: Mapped[datetime] = mapped_column(models.UTCDateTime)
    # copies of the engagement's, kept by ``services.sync`` (the hooks) and ``expo planning resync``
    client_id: Mapped[int] = mapped_column(Integer)
    exhibition_id: Mapped[int] = mapped_column(Integer)
    manager_id: Mapped[Optional[int]] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    actual: Mapped[Optional[Decimal]] = mapped_column(AMOUNT)  # contract amount while won, else NULL


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


class Month(models.Base):
    """The sums in whole kopecks: SQLite would keep a NUMERIC sum of a month as a float."""
    __tablename__ = "planning_months"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    planned: Mapped[int] = mapped_column(BigInteger, default=0)
    refined: Mapped[int] = mapped_column(BigInteger, default=0)
    actual: Mapped[int] = mapped_column(BigInteger, default=0)
    lost: Mapped[int] = mapped_column(BigInteger, default=0)
    open_refined: Mapped[int] = mapped_column(BigInteger, default=0)
    engagements: Mapped[int] = mapped_column(Integer, default=0)
    won: Mapped[int] = mapped_column(Integer, default=0)
    dropped: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)
