"""/api/v1/users: for planners and admins, who assign clients to managers."""
from __future__ import annotations

from sqlalchemy import select

from expo.core import access, db
from expo.core.models import User
from expo.web.api import bp
from expo.web.api.common import api_user, listing, user_json


@bp.get("/users")
def users_list():
    access.require_assign(api_user())
    users = db.session().scalars(select(User).order_by(User.id)).all()
    return listing([user_json(u) for u in users], len(users), len(users), 0)
