"""The planning plugin's job (run as SYSTEM; in-process without Redis): the nightly resync of the
budgets' copies of their engagements and of the month totals — for changes no hook saw (a bulk
load, a time with the plugin disabled)."""
from __future__ import annotations

from sqlalchemy import case, select, update

from expo.hooks import commit, db_session, models
from expo_planning import months
from expo_planning.models import Budget

Engagement = models.Engagement


def resync_all() -> int:
    """Copy every planned engagement's client, exhibition, manager, state and contract again, in
    one statement; returns how many budgets there are."""
    def of_engagement(column):
        return select(column).where(Engagement.id == Budget.engagement_id).scalar_subquery()

    result = db_session().execute(update(Budget).values(
        client_id=of_engagement(Engagement.client_id), exhibition_id=of_engagement(Engagement.exhibition_id),
        manager_id=of_engagement(Engagement.manager_id), state=of_engagement(Engagement.state),
        actual=of_engagement(case((Engagement.state == "won", Engagement.contract_amount)))))
    months.recount_all()
    commit()
    return result.rowcount
