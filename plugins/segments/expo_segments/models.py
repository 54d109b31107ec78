"""The plugin's tables: each client's computed classes, and saved segments (named filters)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from expo.hooks import models


class ClientClass(models.Base):
    """What the nightly recomputation (and each closed engagement) found about a client.

    ``category``: active / potential / lost; ``abc`` / ``xyz`` / ``abcde`` over the standard window
    (the last ``SEGMENTS_WINDOW_MONTHS`` months); purchases are won engagements and imported sales.
    """

    __tablename__ = "segments_client_classes"
    __table_args__ = (Index("ix_segments_client_classes_category", "category"),
                      Index("ix_segments_client_classes_abc_xyz", "abc", "xyz"))

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(10))
    abc: Mapped[Optional[str]] = mapped_column(String(1))
    xyz: Mapped[Optional[str]] = mapped_column(String(1))
    abcde: Mapped[Optional[str]] = mapped_column(String(1))
    revenue: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 2))
    first_purchase_on: Mapped[Optional[date]] = mapped_column(Date)
    last_purchase_on: Mapped[Optional[date]] = mapped_column(Date)
    purchase_days: Mapped[int] = mapped_column(Integer, default=0)


class SavedSegment(models.Base):
    """A named filter of the client list (region, industry, channel, category, ABC, XYZ)."""

    __tablename__ = "segments_saved"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    filters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
