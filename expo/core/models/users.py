"""People who use Expo, the extra rights granted to them, and their API tokens."""
from __future__ import annotations

from datetime import datetime
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

ROLES = ("admin", "planner", "manager", "viewer")
# Rights beyond the role, granted explicitly per user; plugins may add more (register_permissions).
CORE_PERMISSIONS = ("clients.export", "clients.delete")


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    grants: Mapped[list["PermissionGrant"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.active

    @property
    def permissions(self) -> set[str]:
        return {grant.permission for grant in self.grants}

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def sees_all_clients(self) -> bool:
        """Planners, admins and viewers see the whole base; a manager sees what is assigned to them."""
        return self.role != "manager"

    @property
    def can_write(self) -> bool:
        return self.role != "viewer"

    @property
    def can_assign(self) -> bool:
        return self.role in ("admin", "planner")


class PermissionGrant(Base):
    __tablename__ = "permission_grants"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    permission: Mapped[str] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="grants")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
