"""Gap replenishment: clients who could replace a refusal in an exhibition's plan, and opening
engagements for the chosen ones.

A candidate is a potential or lost client, not deleted, with no engagement in that exhibition
(one engagement per client and exhibition, so a client who already refused there cannot be
asked again). Their *expected amount* is the mean of their past won contracts, else the firm's
median won contract. SQL ranks them by it and keeps the first ``POOL``; the plugins that answer
``client_priority`` (ratings does) then rank that pool by priority first, expected amount next —
planning never imports them. A running sum shows where the gap is covered.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_decimal, lazy_gettext as _l
from sqlalchemy import exists, func, select

from expo.hooks import (ValidationError, client_priority, db_session, fields, models, notify, open_engagement,
                        users_with_role)
from expo_planning import queries, services

Client, Engagement = models.Client, models.Engagement
POOL = 200  # how many of the best by expected amount the priority hook is asked to rank
SHOWN = 50


@dataclass
class Candidate:
    client_id: int
    name: str
    category: str
    manager_id: int | None
    expected: Decimal
    from_history: bool  # False: the firm's median stands in
    priority: float
    running: Decimal = Decimal("0.00")
    covers: bool = False  # the running sum reaches the gap at this client
    chosen: bool = False  # proposed: needed to cover the gap (those up to the one that covers it)


def candidates(exhibition_id: int, gap: Decimal | None, shown: int = SHOWN) -> list[Candidate]:
    """The best replacements for ``exhibition_id``, with the running sum against ``gap``."""
    session = db_session()
    engaged = exists().where(Engagement.client_id == Client.id, Engagement.exhibition_id == exhibition_id)
    eligible = [Client.deleted_at.is_(None), Client.category.in_(("potential", "lost")), ~engaged]
    # the mean in kopecks (SQLite averages floats): Σ kopecks ÷ count, rounded half up in Python
    won = select(Engagement.client_id, queries.kopecks(Engagement.contract_amount).label("kopecks"),
                 func.count().label("contracts")) \
        .where(Engagement.state == "won", Engagement.contract_amount.is_not(None)) \
        .group_by(Engagement.client_id).subquery()
    mean = won.c.kopecks / won.c.contracts
    with_history = session.execute(
        select(Client.id, Client.name, Client.category, Client.manager_id, won.c.kopecks, won.c.contracts)
        .join(won, won.c.client_id == Client.id).where(*eligible)
        .order_by(mean.desc(), Client.id).limit(POOL)).all()
    median = queries.won_median()
    rest = session.execute(
        select(Client.id, Client.name, Client.category, Client.manager_id)
        .where(*eligible, ~exists().where(won.c.client_id == Client.id))
        .order_by(Client.name, Client.id).limit(max(POOL - len(with_history), 0))).all() if len(with_history) < POOL else []
    pool = [Candidate(r.id, r.name, r.category, r.manager_id,
                      (Decimal(int(r.kopecks)) / r.contracts / 100).quantize(queries.CENT, ROUND_HALF_UP), True, 0.0)
            for r in with_history]
    pool += [Candidate(r.id, r.name, r.category, r.manager_id, median, False, 0.0) for r in rest]
    priorities = client_priority([c.client_id for c in pool]) if pool else {}
    for candidate in pool:
        candidate.priority = float(priorities.get(candidate.client_id, 0))
    pool.sort(key=lambda c: (-c.priority, -c.expected, c.name, c.client_id))
    running, covered = Decimal("0.00"), False
    for candidate in pool[:shown]:
        candidate.chosen = gap is not None and running < gap
        running += candidate.expected
        candidate.running = running
        if gap is not None and not covered and running >= gap:
            candidate.covers = covered = True
    return pool[:shown]


def open_replacements(exhibition_id: int, period: str, client_ids: list[int], user) -> list[models.Engagement]:
    """Open an engagement for each chosen client, planned for ``period`` at their expected
    amount, through the core's service (its hooks fire, the first step's tasks are made)."""
    services.require_planner(user)
    period = fields.clean({"period": fields.period(required=True)}, {"period": period})["period"]
    if not client_ids:
        raise ValidationError(fields={"client_id": str(_l("Choose at least one client."))})
    if services.is_closed(period):
        raise ValidationError(fields={"period": str(_l("The period %(period)s is closed.", period=period))})
    expected = {c.client_id: c for c in candidates(exhibition_id, None, shown=POOL)}
    unknown = [client_id for client_id in client_ids if client_id not in expected]
    if unknown:
        raise ValidationError(fields={"client_id": str(_l("Not a candidate for this exhibition: %(ids)s.",
                                                          ids=", ".join(map(str, unknown))))})
    opened = []
    for client_id in client_ids:
        engagement = open_engagement({"client_id": client_id, "exhibition_id": exhibition_id}, user)
        services.set_planned(engagement, {"amount": str(expected[client_id].expected), "period": period}, user)
        opened.append(engagement)
    return opened


def tell_planners_of_refusal(engagement: models.Engagement, kind: str) -> None:
    """The ``engagement_closed`` hook: a planned engagement was lost or declined — its planned
    amount leaves the period's expectation; the planners hear of it with the gap that is left."""
    if kind not in queries.DROPPED:
        return
    budget = services.budget_of(engagement.id)
    if budget is None or services.is_closed(budget.period):
        return
    whole = queries.period_plan(budget.period)
    text = str(_l("%(client)s refused (%(exhibition)s): the planned %(amount)s leaves %(period)s.",
                  client=engagement.client.name, exhibition=engagement.exhibition.name,
                  amount=format_decimal(budget.planned, "#,##0.00"), period=budget.period))
    if whole.gap is not None:
        text += " " + str(_l("Gap to the target: %(gap)s.", gap=format_decimal(whole.gap, "#,##0.00")))
    notify(users_with_role("planner"), "planning.gap", text,
           f"/planning/periods/{budget.period}?exhibition_id={engagement.exhibition_id}")
