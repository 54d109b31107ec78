"""The client base: client companies and the people at them."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .users import User

# DOMAIN.md: active (has contracts, recent purchases), potential (no contract yet), lost (no recent sales).
CATEGORIES = ("active", "potential", "lost")


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        # The list filters by these and sorts by name within them (the name key, then the id, as
        # its ORDER BY); PostgreSQL counts a filter's live clients from the index alone.
        *(Index(f"ix_clients_{field}_name", column, "name_key", "id", postgresql_include=["deleted_at"])
          for field, column in (("manager", "manager_id"), ("region", "region"), ("industry", "industry"),
                                ("channel", "channel"), ("category", "category"))),
        # A manager's list (their own clients) in each of its orders, and their counts by filter.
        *(Index(f"ix_clients_manager_{name}", "manager_id", *columns, postgresql_include=["deleted_at"])
          for name, columns in (("region", ("region", "name_key", "id")), ("industry", ("industry", "name_key", "id")),
                                ("category", ("category", "name_key", "id")), ("channel", ("channel", "name_key", "id")),
                                ("created", ("created_at", "id")))),
        # The list's order by name and by date (keyset paging reads them, docs/decisions/0023);
        # the import matches rows by the name key (and the e-mail: index below; tax id: its own).
        Index("ix_clients_name_key", "name_key", "id", postgresql_include=["deleted_at"]),
        Index("ix_clients_created_at", "created_at", "id"),
        # Substring search by trigrams (PostgreSQL's pg_trgm; migration 0011 creates the extension).
        *(Index(f"ix_clients_{column}_trgm", column, postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"}).ddl_if(dialect="postgresql")
          for column in ("name_search", "tax_id")),
        # Deleted clients only (the deleted clients page, the purge): an index of every client's
        # deleted_at misled SQLite, without statistics, into reading the live list through it (0014).
        Index("ix_clients_deleted", "deleted_at", sqlite_where=text("deleted_at IS NOT NULL"),
              postgresql_where=text("deleted_at IS NOT NULL")),
        # One client per tax id; many without one. Checked in the service too, but only this holds
        # when two requests race (migration 0004 cleared the duplicates older data had).
        Index("uq_clients_tax_id", "tax_id", unique=True, sqlite_where=text("tax_id IS NOT NULL"),
              postgresql_where=text("tax_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # Lower-cased name for case-insensitive search that behaves the same on SQLite (ASCII-only lower()).
    name_search: Mapped[str] = mapped_column(String(600), index=True)  # casefold() can triple a length
    # The name without legal form, quotes and case (expo.core.names.name_key): "the same company".
    name_key: Mapped[str] = mapped_column(String(600), default="")
    tax_id: Mapped[Optional[str]] = mapped_column(String(12))
    region: Mapped[Optional[str]] = mapped_column(String(100))
    industry: Mapped[Optional[str]] = mapped_column(String(100))
    channel: Mapped[Optional[str]] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), default="potential")
    website: Mapped[Optional[str]] = mapped_column(String(300))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    phone: Mapped[Optional[str]] = mapped_column(String(50))
    notes: Mapped[Optional[str]] = mapped_column(Text)
    manager_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Soft deletion: set, the client is hidden everywhere (expo.core.access) until restored or
    # purged for good by the scheduled purge (docs/decisions/0010-client-base-import-and-deletion.md).
    deleted_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("users.id"))

    manager: Mapped[Optional[User]] = relationship(lazy="joined", foreign_keys=[manager_id])
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="client", cascade="all, delete-orphan", order_by="Contact.name"
    )


# E-mail addresses are matched case-insensitively.
Index("ix_clients_email_lower", func.lower(Client.email))


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


PICK_LIST_FIELDS = ("region", "industry", "channel")

# SQLite's FTS5 trigram index of Client.name_search, kept by triggers (migration 0015): no model
# declares it, and on PostgreSQL (pg_trgm indexes instead) or an SQLite without FTS5 it is absent.
NAME_TRIGRAMS = "clients_name_trigrams"


class PickListItem(Base):
    """One value of a firm's own list for a client field (region, industry, channel).

    Admins edit the lists; the client form offers them and the client list filters by them, so
    filters and data agree (and no filter needs a DISTINCT scan of every client).
    """

    __tablename__ = "pick_list_items"
    __table_args__ = (UniqueConstraint("field", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    field: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
