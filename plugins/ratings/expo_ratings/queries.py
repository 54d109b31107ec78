"""Reads: the total as an SQL expression for the lists, a client's ratings, their history, the
priorities other plugins ask for, and the report's numbers. A bounded number of statements each.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, or_, select
from sqlalchemy.orm import aliased

from expo.hooks import db_session, models, not_deleted, report_client_condition
from expo_ratings.models import ClientRating, EngagementRating, RatingChange, Recomputation

TOP = 20
MOVES = 10


def rating_column(list_name: str):
    """The "Rating" sort key of a list, as ``(expression, joins)``: the client's maintained total
    (status ratings + personal), plus, where an engagement is in view, its exhibition rating.

    The list LEFT JOINs the two rating tables on their primary keys rather than running two
    subqueries per row: PostgreSQL then sorts 200 000 clients by a hash join (docs/performance.md).
    A task without a client or an engagement counts 0 there.
    """
    client_totals = aliased(ClientRating, name="ratings_client_total")
    exhibition = aliased(EngagementRating, name="ratings_engagement_total")
    model = {"clients": models.Client, "engagements": models.Engagement, "tasks": models.Task}.get(list_name)
    if model is None:
        return None
    client_id = models.Client.id if model is models.Client else model.client_id
    joins = [(client_totals, client_totals.client_id == client_id)]
    expression = func.coalesce(client_totals.total, 0)
    if model is not models.Client:
        engagement_id = model.id if model is models.Engagement else model.engagement_id
        joins.append((exhibition, exhibition.engagement_id == engagement_id))
        expression = expression + func.coalesce(exhibition.exhibition, 0)
    return expression, tuple(joins)


@dataclass
class Ratings:
    """A client's ratings, in view of one engagement (its exhibition) or of none."""

    client_id: int
    status: int  # Σ the status ratings of the client's engagements
    personal: int
    exhibition: int  # of the engagement in view; 0 outside an exhibition
    rated: int  # how many engagements have a status rating
    exhibition_id: int | None = None

    @property
    def total(self) -> int:
        return self.status + self.exhibition + self.personal

    def as_json(self) -> dict:
        return {"client_id": self.client_id, "exhibition_id": self.exhibition_id, "status": self.status,
                "exhibition": self.exhibition, "personal": self.personal, "total": self.total}


def ratings_of(client_id: int, exhibition_id: int | None = None) -> Ratings:
    """One statement: the client's sums, and the exhibition rating of its engagement there."""
    mine = ClientRating.client_id == client_id
    exhibition = 0
    if exhibition_id is not None:
        engagement = models.Engagement
        exhibition = func.coalesce(
            select(EngagementRating.exhibition).join(engagement, engagement.id == EngagementRating.engagement_id)
            .where(engagement.client_id == client_id, engagement.exhibition_id == exhibition_id).scalar_subquery(), 0)
    row = db_session().execute(select(
        func.coalesce(select(ClientRating.status).where(mine).scalar_subquery(), 0),
        func.coalesce(select(ClientRating.personal).where(mine).scalar_subquery(), 0),
        exhibition,
        select(func.count()).where(EngagementRating.client_id == client_id, EngagementRating.status.is_not(None))
        .scalar_subquery(),
    )).one()
    return Ratings(client_id, row[0], row[1], row[2], row[3], exhibition_id)


def status_of(engagement_id: int) -> int | None:
    """The engagement's own status rating (None while open, or when no rule matched its result)."""
    return db_session().scalar(select(EngagementRating.status).where(EngagementRating.engagement_id == engagement_id))


@dataclass
class Change:
    change: RatingChange
    user_name: str | None
    exhibition_name: str | None


def history(client_id: int, limit: int, offset: int = 0, engagement_id: int | None = None) -> list[Change]:
    """The newest changes of a client's ratings (of one engagement's, if given), with names."""
    engagement, exhibition, user = models.Engagement, models.Exhibition, models.User
    query = (select(RatingChange, user.name, exhibition.name)
             .outerjoin(user, user.id == RatingChange.user_id)
             .outerjoin(engagement, engagement.id == RatingChange.engagement_id)
             .outerjoin(exhibition, exhibition.id == engagement.exhibition_id)
             .where(RatingChange.client_id == client_id))
    if engagement_id is not None:  # this engagement's changes, and the client's personal ones
        query = query.where(or_(RatingChange.engagement_id == engagement_id, RatingChange.component == "personal"))
    rows = db_session().execute(query.order_by(RatingChange.at.desc(), RatingChange.id.desc())
                                .offset(offset).limit(limit))
    return [Change(*row) for row in rows]


def history_count(client_id: int) -> int:
    return db_session().scalar(select(func.count(RatingChange.id)).where(RatingChange.client_id == client_id)) or 0


def priorities(client_ids: list[int]) -> dict[int, int]:
    """``{client_id: total}`` for the clients that have ratings (the others count 0)."""
    rows = db_session().execute(select(ClientRating.client_id, ClientRating.total)
                                .where(ClientRating.client_id.in_(client_ids), ClientRating.total != 0,
                                       not_deleted(ClientRating.client_id)))
    return dict(rows.all())


def latest_recomputation() -> Recomputation | None:
    return db_session().scalar(select(Recomputation).where(Recomputation.state != "pending")
                               .order_by(Recomputation.id.desc()).limit(1))


def top_clients(filters: dict, limit: int = TOP) -> list[dict]:
    """The clients with the highest total; with an exhibition filter, the total in that exhibition."""
    client, engagement = models.Client, models.Engagement
    status = func.coalesce(ClientRating.status, 0)
    personal = func.coalesce(ClientRating.personal, 0)
    if filters.get("exhibition_id"):
        exhibition = func.coalesce(EngagementRating.exhibition, 0)
        query = (select(client.id, client.name, status, exhibition, personal)
                 .select_from(engagement).join(client, client.id == engagement.client_id)
                 .outerjoin(ClientRating, ClientRating.client_id == client.id)
                 .outerjoin(EngagementRating, EngagementRating.engagement_id == engagement.id)
                 .where(engagement.exhibition_id == filters["exhibition_id"]))
        if filters.get("manager_id"):
            query = query.where(engagement.manager_id == filters["manager_id"])
    else:
        exhibition = literal(0)
        query = (select(client.id, client.name, status, exhibition, personal)
                 .select_from(ClientRating).join(client, client.id == ClientRating.client_id))
        if filters.get("manager_id"):
            query = query.where(client.manager_id == filters["manager_id"])
    total = status + exhibition + personal
    query = query.where(client.deleted_at.is_(None))
    if (picked := report_client_condition(filters)) is not None:
        query = query.where(picked)
    rows = db_session().execute(query.add_columns(total).order_by(total.desc(), client.name).limit(limit))
    return [{"client_id": r[0], "name": r[1], "status": r[2], "exhibition": r[3], "personal": r[4], "total": r[5]}
            for r in rows]


def biggest_moves(start: datetime, end: datetime, filters: dict, limit: int = MOVES) -> list[dict]:
    """The clients whose total moved most in [start, end): Σ (new − old) of their changes.

    Exhibition ratings move a client only within their exhibition, so they count only when the
    report is for one exhibition (and then only that exhibition's).
    """
    client, engagement = models.Client, models.Engagement
    delta = func.sum(func.coalesce(RatingChange.new_value, 0) - func.coalesce(RatingChange.old_value, 0))
    query = (select(client.id, client.name, delta.label("delta"))
             .select_from(RatingChange).join(client, client.id == RatingChange.client_id)
             .where(RatingChange.at >= start, RatingChange.at < end, client.deleted_at.is_(None)))
    if filters.get("exhibition_id"):
        engaged = select(engagement.client_id).where(engagement.exhibition_id == filters["exhibition_id"])
        in_show = select(engagement.id).where(engagement.exhibition_id == filters["exhibition_id"])
        query = query.where(client.id.in_(engaged), or_(RatingChange.component != "exhibition",
                                                        RatingChange.engagement_id.in_(in_show)))
    else:
        query = query.where(RatingChange.component != "exhibition")
    if filters.get("manager_id"):
        query = query.where(client.manager_id == filters["manager_id"])
    if (picked := report_client_condition(filters)) is not None:
        query = query.where(picked)
    query = query.group_by(client.id, client.name).having(delta != 0)
    rows = db_session().execute(query.order_by(func.abs(delta).desc(), client.name).limit(limit))
    return [{"client_id": r[0], "name": r[1], "delta": r[2]} for r in rows]

