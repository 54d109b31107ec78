"""People who use Expo, the extra rights granted to them, and their API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

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

    # Not a column: the login session this request runs in (see LoginSession). Flask-Login keeps
    # get_id() in the session cookie, so the cookie names the session, not just the user.
    session_token = None
    # Not a column either: the unread notifications, counted with the session row (the layout's badge).
    unread_notifications = None
    # Nor this: the extra rights, read with the session row too (pages ask ``can()``; loading the
    # grants would be a statement more per request). None: not read so; changing grants forgets it.
    session_permissions = None  # a frozenset of rights

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.active

    @property
    def permissions(self) -> frozenset[str]:
        if self.session_permissions is not None:
            return self.session_permissions
        return frozenset(grant.permission for grant in self.grants)

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

    is_system = False


class SystemActor:
    """The actor of work no person started: jobs, scheduled checks, CLI commands, data loads.

    Services take an explicit actor and refuse ``None``; ``SYSTEM`` may do everything, has no
    id (audit rows show "system") and is never a recipient of anything.
    """

    id = None
    name = "system"
    email = None
    role = "system"
    active = True
    is_system = True
    sees_all_clients = True
    can_write = True
    can_assign = True
    permissions = frozenset()

    def can(self, permission: str) -> bool:
        return True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


class PermissionGrant(Base):
    __tablename__ = "permission_grants"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    permission: Mapped[str] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="grants")


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once.

    Optionally it expires; revoking keeps the row (the list shows when) but the token stops working.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[Optional[str]] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def works_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


class LoginSession(Base):
    """One logged-in browser. The session cookie carries its token; logging out deletes the row, so a
    cookie copied before that stops working (a signed cookie alone would stay valid)."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
