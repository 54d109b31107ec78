"""The start page: what needs attention today, plus plugin widgets."""
from __future__ import annotations

from flask import render_template

from expo.core.plugins import collect
from expo.core.queries.dashboard import start_counts
from expo.web.pages import protected_blueprint, user

bp = protected_blueprint("home", __name__)


@bp.get("/")
def index():
    me = user()
    counts = start_counts(me)
    return render_template("home.html", clients=counts.clients, open_engagements=counts.open_engagements,
                           overdue=counts.overdue_tasks, today=counts.today_tasks,
                           first_overdue=counts.first_overdue, first_today=counts.first_today,
                           widgets=collect("dashboard_widgets", user=me))
