"""Users, passwords, granted rights and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, Iterable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, literal_column, select
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from expo.core import clock, db, validation as v
from expo.core.access import Actor
from expo.core.errors import Conflict, ValidationError
from expo.core.models import ROLES, ApiToken, LoginSession, Notification, PermissionGrant, User
from expo.core.services import audit, refusing_duplicates

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

USER_FIELDS = {
    "email": v.email(required=True),
    "name": v.text(200, required=True),
    "role": v.choice(ROLES, required=True),
    "password": v.text(200, required=True),
}
MIN_PASSWORD = 4
EMAIL_TAKEN = _l("A user with this e-mail exists.")
LAST_ADMIN = _l("This is the last active administrator: make someone else an administrator first.")


_UNKNOWN_USER_HASH: list[str] = []  # computed once: the hash an unknown e-mail is checked against


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    return _verify(user.password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None.

    Exactly one Argon2 check runs whether the e-mail is known or not, so the answer's timing does
    not tell an attacker which e-mails have accounts.
    """
    user = find_by_email(email) if email else None
    if user is None:
        if not _UNKNOWN_USER_HASH:
            _UNKNOWN_USER_HASH.append(hash_password(secrets.token_urlsafe(16)))
        _verify(_UNKNOWN_USER_HASH[0], password)
        return None
    return user if _verify(user.password_hash, password) and user.active else None


def find_by_email(email: str) -> User | None:
    return db.session().scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(data: Mapping[str, Any], actor: Actor) -> User:
    values = v.clean(USER_FIELDS, data)
    if len(values["password"]) < MIN_PASSWORD:
        raise ValidationError(fields={"password": str(_l("At least %(n)d characters.", n=MIN_PASSWORD))})
    values["email"] = values["email"].lower()
    if find_by_email(values["email"]) is not None:
        raise Conflict(EMAIL_TAKEN, fields={"email": str(EMAIL_TAKEN)})
    user = User(
        email=values["email"], name=values["name"], role=values["role"],
        password_hash=hash_password(values["password"]),
    )
    session = db.session()
    session.add(user)
    with refusing_duplicates(EMAIL_TAKEN, uq_users_email=("email", EMAIL_TAKEN)):  # a concurrent create
        session.flush()
    audit.record("create", "user", user.id, actor, email=user.email, role=user.role)
    return user


def generate_password() -> str:
    """A one-time password for an administrator to hand over (shown once, never stored in clear)."""
    return secrets.token_urlsafe(9)  # 12 characters, 72 random bits


def _refuse_losing_the_last_admin(user: User, field: str) -> None:
    """Nobody could administer Expo (users, rights) from the browser any more: refuse."""
    if user.role != "admin" or not user.active:
        return
    others = db.session().scalar(select(func.count()).select_from(User).where(
        User.role == "admin", User.active, User.id != user.id))
    if not others:
        raise Conflict(LAST_ADMIN, fields={field: str(LAST_ADMIN)})


def set_permissions(user: User, permissions: Iterable[str], actor: Actor) -> None:
    """Make the user's extra rights exactly these (each change is a grant/ungrant, audited)."""
    from expo.core.permissions import all_permissions

    wanted = set(permissions)
    unknown = wanted - set(all_permissions())
    if unknown:
        raise ValidationError(fields={"permissions": str(_l("Unknown right: %(key)s", key=", ".join(sorted(unknown))))})
    for permission in sorted(wanted - set(user.permissions)):
        grant(user, permission, actor)
    for permission in sorted(set(user.permissions) - wanted):
        ungrant(user, permission, actor)


def grant(user: User, permission: str, actor: Actor) -> None:
    if permission not in user.permissions:
        db.upsert(PermissionGrant.__table__, {"user_id": user.id, "permission": permission},
                  keys=("user_id", "permission"))  # a grant made meanwhile by another admin is the same grant
        db.session().expire(user, ["grants"])
        user.session_permissions = None
        audit.record("grant", "user", user.id, actor, permission=permission)


def ungrant(user: User, permission: str, actor: Actor) -> None:
    """Take a right back; audited."""
    if permission in user.permissions:
        db.session().execute(delete(PermissionGrant).where(PermissionGrant.user_id == user.id,
                                                           PermissionGrant.permission == permission))
        db.session().expire(user, ["grants"])
        user.session_permissions = None
        audit.record("ungrant", "user", user.id, actor, permission=permission)


def end_all_sessions(user: User) -> int:
    """Log the user out everywhere (every browser session; API tokens are revoked separately)."""
    return db.session().execute(delete(LoginSession).where(LoginSession.user_id == user.id)).rowcount


def set_active(user: User, active: bool, actor: Actor) -> None:
    """Deactivate someone who left (logged out everywhere, every API token revoked; their history and
    their clients stay), or let them back in. Audited."""
    if user.active == active:
        return
    if not active:
        _refuse_losing_the_last_admin(user, "active")
    user.active = active
    if not active:
        end_all_sessions(user)
        for token in tokens_of(user):
            revoke_token(token, actor)
    db.session().flush()
    audit.record("activate" if active else "deactivate", "user", user.id, actor)


def set_role(user: User, role: str, actor: Actor) -> None:
    """Change a user's role; they log in again (their pages and rights change). Audited."""
    role = v.clean({"role": USER_FIELDS["role"]}, {"role": role})["role"]
    if role != user.role:
        _refuse_losing_the_last_admin(user, "role")
        audit.record("update", "user", user.id, actor, role=[user.role, role])
        user.role = role
        end_all_sessions(user)
        db.session().flush()


def set_password(user: User, password: str, actor: Actor, revoke_tokens: bool = False) -> None:
    """A new password (an administrator's reset); every browser session of the user ends, and with
    ``revoke_tokens`` every API token too (the browser's reset: the account may have leaked). Audited."""
    password = v.clean({"password": USER_FIELDS["password"]}, {"password": password})["password"]
    if len(password) < MIN_PASSWORD:
        raise ValidationError(fields={"password": str(_l("At least %(n)d characters.", n=MIN_PASSWORD))})
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    if revoke_tokens:
        for token in tokens_of(user):
            revoke_token(token, actor)
    db.session().flush()
    audit.record("set_password", "user", user.id, actor)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, actor: Actor, days: int | None = None, label: str | None = None) -> str:
    """Create an API token (expiring after ``days``, if given); only its hash is stored, so this
    return value is the only copy."""
    token = secrets.token_urlsafe(32)
    expires_at = clock.now() + timedelta(days=days) if days else None
    row = ApiToken(user_id=user.id, token_hash=_digest(token), label=label, created_at=clock.now(),
                   expires_at=expires_at)
    db.session().add(row)
    db.session().flush()
    audit.record("issue_token", "user", user.id, actor, token_id=row.id,
                 expires_at=expires_at.isoformat() if expires_at else None)
    return token


def user_for_token(token: str) -> User | None:
    row = db.session().scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or not row.works_at(clock.now()) or not row.user.active:
        return None
    return row.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session().scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(token: ApiToken, actor: Actor) -> None:
    """Stop a token working at once (the row stays, so the list shows when it was revoked)."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        db.session().flush()
        audit.record("revoke_token", "user", token.user_id, actor, token_id=token.id)


# --- browser sessions: the signed cookie names a server-side row, so logging out really ends it ----

def start_session(user: User) -> str:
    """A new login session; the returned token goes into the (signed) session cookie."""
    token = secrets.token_urlsafe(32)
    db.session().add(LoginSession(user_id=user.id, token_hash=_digest(token), created_at=clock.now()))
    db.session().flush()
    user.session_token = token
    return token


def _session_cutoff():
    return clock.now() - timedelta(days=current_app.config["SESSION_DAYS"])


# Every request asks: the session row, its user, the unread count the layout shows and the user's
# extra rights come in one statement (not four), built once (building it took a tenth of a
# millisecond per request), as plain columns: the user object is made from them (loading it as an
# entity of the statement cost twice a plain statement's time on every page, docs/performance.md).
_USER_COLUMNS = tuple(User.__table__.c)
RIGHTS_SEPARATOR = "\x1f"  # ASCII's unit separator: no right's key holds it (a plugin's may hold a space)
_SESSION_USER = (select(LoginSession.created_at, *_USER_COLUMNS,
                        select(func.count()).select_from(Notification)
                        .where(Notification.user_id == LoginSession.user_id, Notification.read_at.is_(None))
                        .correlate(LoginSession).scalar_subquery(),
                        # the separator as a literal in the SQL: given as a string, SQLAlchemy renders it
                        # into the statement anew on every execution (a "post-compile" parameter)
                        select(func.aggregate_strings(PermissionGrant.permission,
                                                      literal_column(f"'{RIGHTS_SEPARATOR}'")))
                        .where(PermissionGrant.user_id == LoginSession.user_id)
                        .correlate(LoginSession).scalar_subquery())
                 .join(User, User.id == LoginSession.user_id)
                 .where(LoginSession.token_hash == bindparam("token_hash")))


def user_for_session(token: str) -> User | None:
    """The user a session cookie names: none once logged out, expired (``EXPO_SESSION_DAYS`` after
    the login) or deactivated."""
    found = db.rows(_SESSION_USER, {"token_hash": _digest(token)})
    if not found:
        return None
    created_at, *columns, unread_count, rights = found[0]
    values = dict(zip((column.key for column in _USER_COLUMNS), columns))
    if not values["active"] or created_at < _session_cutoff():
        return None
    session = db.session()
    user = session.identity_map.get(identity_key(User, values["id"]))
    if user is None:  # as if loaded by the session: persistent, nothing changed
        user = User(**values)
        make_transient_to_detached(user)
        session.add(user)
    user.session_token = token
    user.unread_notifications = unread_count
    user.session_permissions = frozenset(rights.split(RIGHTS_SEPARATOR)) if rights else frozenset()
    return user


def end_session(token: str) -> None:
    db.session().execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def purge_expired_sessions() -> dict:
    """The scheduled job (daily): forget the rows of logins that have expired."""
    result = db.session().execute(delete(LoginSession).where(LoginSession.created_at < _session_cutoff()))
    return {"purged": result.rowcount}
