"""The client base: client companies and the people at them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User

# DOMAIN.md: active (has contracts, recent purchases), potential (no contract yet), lost (no recent sales).
CATEGORIES = ("active", "potential", "lost")


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        # The list filters by these and sorts by name within them.
        Index("ix_clients_manager_name", "manager_id", "name"),
        Index("ix_clients_region_name", "region", "name"),
        Index("ix_clients_industry_name", "industry", "name"),
        Index("ix_clients_channel_name", "channel", "name"),
        Index("ix_clients_category_name", "category", "name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # Lower-cased name for case-insensitive search that behaves the same on SQLite (ASCII-only lower()).
    name_search: Mapped[str] = mapped_column(String(600), index=True)  # casefold() can triple a length
    tax_id: Mapped[Optional[str]] = mapped_column(String(12), index=True)
    region: Mapped[Optional[str]] = mapped_column(String(100))
    industry: Mapped[Optional[str]] = mapped_column(String(100))
    channel: Mapped[Optional[str]] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), default="potential")
    website: Mapped[Optional[str]] = mapped_column(String(300))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    manager: Mapped[Optional[User]] = relationship(lazy="joined")
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.name"
    )


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[Optional[str]] = mapped_column(String(200))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    mobile: Mapped[Optional[str]] = mapped_column(String(50))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    birthday: Mapped[Optional[date]] = mapped_column(Date)
    preferences: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    client: Mapped[Client] = relationship(back_populates="contacts")
