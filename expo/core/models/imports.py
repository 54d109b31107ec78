"""Imports of the client base from spreadsheets, and the historical sales they bring.

An ``Import`` is one uploaded file going through its steps (mapping, dry run, commit); its
``ImportRow``s are the verdict on each data row. ``ImportMapping`` remembers how a file's columns
were mapped, so the next file with the same header maps itself. ``Sale`` is a purchase recorded
outside Expo (a 1C export): analytics count it beside won engagements.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Optional

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Money, UTCDateTime, utcnow

IMPORT_KINDS = ("clients", "sales")
# uploaded → checking → checked → committing → committed; failed when a job broke off (nothing written).
IMPORT_STATES = ("uploaded", "checking", "checked", "committing", "committed", "failed")
ROW_STATUSES = ("new", "update", "duplicate", "invalid")


class Import(Base):
    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    file_name: Mapped[str] = mapped_column(String(255))  # as uploaded, for people and the audit trail
    stored_name: Mapped[str] = mapped_column(String(100))  # the copy under <instance>/imports/
    file_size: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # {field: column number, 1-based}
    state: Mapped[str] = mapped_column(String(12), default="uploaded", index=True)
    total_rows: Mapped[Optional[int]] = mapped_column(Integer)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    checked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    committed_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)


class ImportRow(Base):
    """The verdict on one data row of an import (``row`` is its line in the file, header = 1)."""

    __tablename__ = "import_rows"
    __table_args__ = (Index("ix_import_rows_import_status_row", "import_id", "status", "row"),
                      UniqueConstraint("import_id", "row"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200), default="")  # the row's client, as people read it
    errors: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # {field: message}
    client_id: Mapped[Optional[int]] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))


class ImportMapping(Base):
    """The column mapping last used for a header (``header_key`` is a digest of its cells)."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("kind", "header_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    header_key: Mapped[str] = mapped_column(String(64))
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Sale(Base):
    """A purchase by a client recorded outside Expo (imported); ``margin`` may be negative."""

    __tablename__ = "sales"
    __table_args__ = (Index("ix_sales_client_sold_on", "client_id", "sold_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    sold_on: Mapped[date] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = mapped_column(Money)
    margin: Mapped[Optional[Decimal]] = mapped_column(Money)
    number: Mapped[Optional[str]] = mapped_column(String(50))  # the document number, when the file has one
    import_id: Mapped[Optional[int]] = mapped_column(ForeignKey("imports.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
