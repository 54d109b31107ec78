"""Users, passwords, granted rights and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from typing import Any, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import db, validation as v
from expo.core.errors import ValidationError
from expo.core.models import ROLES, ApiToken, PermissionGrant, User
from expo.core.services import audit

_hasher = PasswordHasher()  # Argon2id with the library's current recommended parameters

USER_FIELDS = {
    "email": v.email(required=True),
    "name": v.text(200, required=True),
    "role": v.choice(ROLES, required=True),
    "password": v.text(200, required=True),
}
MIN_PASSWORD = 4


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(email: str) -> User | None:
    return db.session().scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(data: Mapping[str, Any], actor: User | None = None) -> User:
    values = v.clean(USER_FIELDS, data)
    if len(values["password"]) < MIN_PASSWORD:
        raise ValidationError(fields={"password": str(_l("At least %(n)d characters.", n=MIN_PASSWORD))})
    values["email"] = values["email"].lower()
    if find_by_email(values["email"]) is not None:
        raise ValidationError(fields={"email": str(_l("A user with this e-mail exists."))})
    user = User(
        email=values["email"], name=values["name"], role=values["role"],
        password_hash=hash_password(values["password"]),
    )
    session = db.session()
    session.add(user)
    session.flush()
    audit.record("create", "user", user.id, actor, email=user.email, role=user.role)
    return user


def grant(user: User, permission: str, actor: User | None = None) -> None:
    if permission not in user.permissions:
        user.grants.append(PermissionGrant(permission=permission))
        db.session().flush()
        audit.record("grant", "user", user.id, actor, permission=permission)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, actor: User | None = None) -> str:
    """Create an API token; only its hash is stored, so this return value is the only copy."""
    token = secrets.token_urlsafe(32)
    db.session().add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    db.session().flush()
    audit.record("issue_token", "user", user.id, actor)
    return token


def user_for_token(token: str) -> User | None:
    row = db.session().scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or not row.user.active:
        return None
    return row.user
