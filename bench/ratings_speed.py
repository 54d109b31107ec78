"""Ratings at scale: the backfill and recomputations, and the lists ranked by rating.

Usage: EXPO_DATABASE_URL=... python bench/ratings_speed.py [--runs 5] [--batch 5000]
On a firm made by bench/make_firm.py after `expo db upgrade` (ratings enabled). It
1. runs the pending backfill the first migration left (every closed engagement rated),
2. gives 5 % of the clients a personal rating and 10 % of the engagements an exhibition rating
   (one INSERT each: what planners would have typed over the years),
3. recomputes again (nothing changes), then after a rule change (many change),
4. times the ranked lists' statements (first page, as a planner and as a manager) against the same
   lists in their own order, and the report section.
Prints one line per measurement (medians of --runs).
"""
from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import func, select, text

from expo import create_app
from expo.core import db
from expo.core.clock import now
from expo.core.hooktypes import ListColumn
from expo.core.models import SYSTEM, Client, Engagement, Exhibition, User
from expo.core.queries import Sorting
from expo.core.queries.clients import ClientListQuery, list_clients
from expo.core.queries.engagements import EngagementListQuery, exhibition_engagements
from expo.core.queries.tasks import my_tasks
from expo_ratings import queries, recompute, report, services
from expo_ratings.models import ClientRating, EngagementRating, Recomputation


def timed(runs: int, work) -> float:
    """The median wall time of ``work()`` in milliseconds (each run rolled back)."""
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append((time.perf_counter() - began) * 1000)
        db.session().rollback()
    return statistics.median(times)


def run_recomputation(trigger: str) -> tuple[float, int]:
    pending = recompute.claim_pending() if trigger == "enabled" else None
    run = pending or Recomputation(trigger=trigger, state="queued", created_at=now())
    db.session().add(run)
    db.commit()
    began = time.perf_counter()
    done = recompute.run(run.id)
    return time.perf_counter() - began, done.changed


def seed_manual_ratings() -> None:
    """Personal ratings on every 20th client, exhibition ratings on every 10th engagement."""
    session = db.session()
    session.execute(text(
        "INSERT INTO ratings_clients (client_id, personal, status, total) "
        "SELECT id, (id % 41) - 20, 0, (id % 41) - 20 FROM clients WHERE id % 20 = 0 "
        "ON CONFLICT (client_id) DO UPDATE SET personal = excluded.personal, "
        "total = ratings_clients.status + excluded.personal"))
    session.execute(text(
        "INSERT INTO ratings_engagements (engagement_id, client_id, status, exhibition) "
        "SELECT id, client_id, NULL, (id % 31) - 15 FROM engagements WHERE id % 10 = 0 "
        "ON CONFLICT (engagement_id) DO UPDATE SET exhibition = excluded.exhibition"))
    db.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    app = create_app({"RATINGS_BATCH": args.batch})
    with app.test_request_context():
        session = db.session()
        counts = session.execute(select(func.count(Engagement.id), func.count(Engagement.closed_at))).one()
        print(f"firm: {session.scalar(text('SELECT count(*) FROM clients'))} clients, {counts[0]} engagements, "
              f"{counts[1]} closed; batch {args.batch} client ids")

        seconds, changed = run_recomputation("enabled")
        print(f"backfill (first enabling): {seconds:.1f} s, {changed} status ratings written")
        seed_manual_ratings()
        seconds, changed = run_recomputation("command")
        print(f"recomputation, nothing to change: {seconds:.1f} s, {changed} changed")
        began = time.perf_counter()  # without Redis the job runs in-process, right after the commit
        run = services.save_rules([{"kind": "won", "points": 12}, {"kind": "lost", "reason": "price", "points": -1},
                                   {"kind": "lost", "reason": "quality", "points": -3},
                                   {"kind": "declined", "points": -5}], SYSTEM)
        db.commit()
        seconds, changed = time.perf_counter() - began, session.get(Recomputation, run.id).changed
        print(f"rule change (won 10 → 12) saved and recomputed: {seconds:.1f} s, {changed} changed")
        for table in ("ratings_clients", "ratings_engagements", "ratings_changes"):
            session.execute(text(f"ANALYZE {table}"))
        db.commit()

        planner = session.scalar(select(User).where(User.role == "planner").order_by(User.id))
        manager = session.scalar(select(User).where(User.email == "manager1@demo-expo.ru"))
        show = session.scalar(select(Exhibition).join(Engagement, Engagement.exhibition_id == Exhibition.id)
                              .group_by(Exhibition.id).order_by(func.count(Engagement.id).desc()).limit(1))
        columns = {}
        for name in ("clients", "engagements", "tasks"):
            expression, joins = queries.rating_column(name)
            columns[name] = [ListColumn("rating", "Rating", expression, joins=joins)]

        # Two alternatives measured against it: the same maintained total read by a subquery per
        # row, and no maintained total at all (each client's status ratings summed per row).
        def lookup(model, column, key):
            return func.coalesce(select(column).where(key == model.id).correlate(model).scalar_subquery(), 0)

        per_row = [ListColumn("rating", "Rating", lookup(Client, ClientRating.total, ClientRating.client_id))]
        summed = [ListColumn("rating", "Rating", func.coalesce(
            select(func.sum(EngagementRating.status)).where(EngagementRating.client_id == Client.id)
            .correlate(Client).scalar_subquery(), 0) + lookup(Client, ClientRating.personal, ClientRating.client_id))]
        engagement_per_row = [ListColumn("rating", "Rating", func.coalesce(
            select(ClientRating.total).where(ClientRating.client_id == Engagement.client_id)
            .correlate(Engagement).scalar_subquery(), 0)
            + lookup(Engagement, EngagementRating.exhibition, EngagementRating.engagement_id))]
        for who in (planner, manager):
            for label, sorting, cols in (("by name", Sorting("name"), []),
                                         ("by rating", Sorting("rating", True), columns["clients"]),
                                         ("by rating, a subquery per row (not used)", Sorting("rating", True), per_row),
                                         ("by a sum made per row (not used)", Sorting("rating", True), summed)):
                ms = timed(args.runs, lambda: list_clients(who, ClientListQuery(sorting=sorting), cols))
                print(f"client list, first page {label}, as {who.role}: {ms:.0f} ms")
            for label, sorting, cols in (("newest first", Sorting("opened_at", True), []),
                                         ("by rating", Sorting("rating", True), columns["engagements"]),
                                         ("by rating, subqueries per row (not used)", Sorting("rating", True),
                                          engagement_per_row)):
                ms = timed(args.runs, lambda: exhibition_engagements(
                    who, show.id, EngagementListQuery(sorting=sorting), cols))
                print(f"'{show.name}' engagements, {label}, as {who.role}: {ms:.0f} ms")
            for label, sorting, cols in (("by due date", Sorting("due_on"), []),
                                         ("by rating", Sorting("rating", True), columns["tasks"])):
                ms = timed(args.runs, lambda: my_tasks(who, cols, sorting, 300))
                print(f"my tasks, {label}, as {who.role}: {ms:.0f} ms")
        open_one = session.scalar(select(Engagement).where(Engagement.state == "open").limit(1))
        ms = timed(args.runs, lambda: services.rate_closed(open_one, "contract", "won", SYSTEM))
        print(f"the closing hook (status rating, history, the client's sums): {ms:.1f} ms")
        for period in ("2026-10",):
            ms = timed(args.runs, lambda: report.render(period, {}))
            print(f"report section, period {period}: {ms:.0f} ms")
        ids = list(session.scalars(select(Engagement.client_id).limit(500)))
        ms = timed(args.runs, lambda: queries.priorities(ids))
        print(f"client_priority for 500 clients: {ms:.1f} ms")


if __name__ == "__main__":
    main()
