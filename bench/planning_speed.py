"""The planning plugin at scale: the period page and the distribution page of one exhibition
against the raw SQL they issue, in the same run.

Usage (a firm made by make_firm.py with planning enabled, e.g. ``--clients 100000``: ≈ 500 000
engagements, ≈ 20 000 per exhibition):
    EXPO_DATABASE_URL=postgresql+psycopg://…/expo_bench_planning EXPO_INSTANCE_DIR=/tmp/bench \\
        EXPO_PLUGINS=planning python bench/planning_speed.py [--runs 15]

First, when no budget exists yet, every engagement is planned in one INSERT (what planners would
have typed over two years): for the month two months after it opened, at its expected amount
(else 100 000), every third one refined to 90 %; targets for every month. Then the largest
exhibition's period page (its busiest month, with a target to recommend for) and its distribution
page are fetched as the planner, ``--runs`` times after five warm-ups, and the statements each
issued are replayed directly ("its SQL"). Printed: medians, the ratio, the statement count.
"""
from __future__ import annotations

import argparse
import time

from sqlalchemy import func, select, text

from expo import create_app
from expo.core import db
from expo.core.demo import DEMO_PASSWORD
from expo.core.models import Engagement
from expo.testing import PageClient
from expo_planning.jobs import resync_all
from page_timing import page_and_sql, page_getter

PLAN_EVERY_ENGAGEMENT = """
INSERT INTO planning_budgets (engagement_id, period, planned, refined, updated_at, client_id, exhibition_id,
                              manager_id, state, actual)
SELECT id, to_char(opened_at + interval '2 months', 'YYYY-MM'), coalesce(expected_amount, 100000),
       CASE WHEN id % 3 = 0 THEN round(coalesce(expected_amount, 100000) * 0.9, 2) END, now(),
       client_id, exhibition_id, manager_id, state, CASE WHEN state = 'won' THEN contract_amount END
FROM engagements
"""
TARGETS = """
INSERT INTO planning_periods (period, target)
SELECT period, round(sum(planned) * 0.8, 2) FROM planning_budgets GROUP BY period
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    app = create_app()
    engine = app.extensions["expo.engine"]
    with engine.begin() as connection:
        if not connection.execute(text("SELECT count(*) FROM planning_budgets")).scalar():
            began = time.perf_counter()
            connection.execute(text(PLAN_EVERY_ENGAGEMENT))
            connection.execute(text(TARGETS))
            print(f"planned every engagement in {time.perf_counter() - began:.1f} s")
    with app.app_context():
        began = time.perf_counter()
        resync_all()  # the month totals, as the nightly job makes them
        print(f"resynced in {time.perf_counter() - began:.1f} s")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE planning_budgets, engagements, tasks, clients"))
    with app.app_context():
        session = db.session()
        show, engagements = session.execute(select(Engagement.exhibition_id, func.count()).group_by(Engagement.exhibition_id)
                                            .order_by(func.count().desc())).first()
        month, planned = session.execute(text(
            "SELECT period, count(*) FROM planning_budgets WHERE exhibition_id = :show "
            "GROUP BY period ORDER BY count(*) DESC LIMIT 1"), {"show": show}).one()
        budgets = session.execute(text("SELECT count(*) FROM planning_budgets")).scalar()
        session.rollback()
    print(f"{budgets} budgets; the largest exhibition ({show}) has {engagements} engagements, "
          f"{planned} of them planned for its busiest month {month}")
    page = PageClient(app)
    assert page.login("planner@demo-expo.ru", DEMO_PASSWORD).status_code == 302
    cases = [("period page, one exhibition", f"/planning/periods/{month}?exhibition_id={show}&target=50000000"),
             ("period page, the quarter", f"/planning/periods/{month[:4]}-Q{(int(month[5:]) + 2) // 3}?exhibition_id={show}"),
             ("distribution page", f"/planning/exhibitions/{show}/distribution"),
             ("period page, whole firm", f"/planning/periods/{month}")]
    print(f"{'page':30} {'page ms':>9} {'its SQL ms':>11} {'ratio':>6} statements")
    for title, url in cases:
        page_ms, sql_ms, statements = page_and_sql(app, page_getter(page, url), args.runs)
        print(f"{title:30} {page_ms:9.1f} {sql_ms:11.1f} {page_ms / sql_ms:6.2f} {statements}")


if __name__ == "__main__":
    main()
