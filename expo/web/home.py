"""The start page: what needs attention today, plus plugin widgets."""
from __future__ import annotations

from datetime import date

from flask import render_template
from sqlalchemy import func, select

from expo.core import access, db
from expo.core.models import Client, Engagement, Task
from expo.core.plugins import collect
from expo.web.pages import protected_blueprint, user

bp = protected_blueprint("home", __name__)


@bp.get("/")
def index():
    me = user()
    session = db.session()
    clients = session.scalar(access.scope_clients(select(func.count(Client.id)), me))
    open_engagements = session.scalar(
        access.scope_engagements(select(func.count(Engagement.id)), me).where(Engagement.state == "open")
    )
    overdue = session.scalar(
        select(func.count(Task.id)).where(
            Task.assignee_id == me.id, Task.done_at.is_(None), Task.due_on < date.today()
        )
    )
    return render_template(
        "home.html",
        clients=clients,
        open_engagements=open_engagements,
        overdue=overdue,
        widgets=collect("dashboard_widgets", user=me),
    )
