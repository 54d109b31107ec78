"""The funnel plugin at scale: its pages against the raw SQL they need, in the same run.

Usage (a firm made by make_firm.py, e.g. ``--clients 215000``: ≈ 1.07 M engagements, ≈ 2.5 M step-log rows):
    EXPO_DATABASE_URL=postgresql+psycopg://…/expo_bench_funnel EXPO_INSTANCE_DIR=/tmp/bench \\
        python bench/funnel_speed.py [--runs 7]

Each page is fetched as the planner through the app (login, filters' drop-downs, the numbers,
the template), ``--runs`` times after five warm-ups; then the SQL statements that page issued are
executed again directly, with the same parameters, as often ("its SQL"), and so are the
statements of the same page counting from the step log instead of the count tables ("log SQL",
``FUNNEL_COUNTS`` off). Printed: the medians and the page's time divided by each. ``VACUUM ANALYZE step_log, engagements``
runs first, as autovacuum would have on a live database, so the visibility map lets the funnel
read the step log's indexes alone.
"""
from __future__ import annotations

import argparse
import time

from sqlalchemy import func, select, text

from expo import create_app
from expo.core import db
from expo.core.demo import DEMO_PASSWORD
from expo.core.models import Engagement, StepLog
from expo.testing import PageClient
from page_timing import median_ms, page_and_sql, page_getter, raw, statements_of


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    app = create_app()
    engine = app.extensions["expo.engine"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        began = time.perf_counter()
        connection.execute(text("VACUUM ANALYZE step_log, engagements"))
        print(f"VACUUM ANALYZE: {time.perf_counter() - began:.1f} s")
    with app.app_context():
        session = db.session()
        counts = session.execute(select(func.count()).select_from(Engagement)).scalar(), \
            session.execute(select(func.count()).select_from(StepLog)).scalar()
        # the exhibition with the most engagements (the hardest single-exhibition funnel) and the median one
        shows = session.execute(select(Engagement.exhibition_id, func.count()).group_by(Engagement.exhibition_id)
                                .order_by(func.count().desc())).all()
        session.rollback()
    (show_id, show_engagements), (median_id, median_engagements) = shows[0], shows[len(shows) // 2]
    print(f"{counts[0]} engagements, {counts[1]} step-log rows; the largest exhibition ({show_id}) has "
          f"{show_engagements}, the median one ({median_id}) {median_engagements}")
    page = PageClient(app)
    assert page.login("planner@demo-expo.ru", DEMO_PASSWORD).status_code == 302
    # The same pages counting from the step log itself (FUNNEL_COUNTS off): the SQL a funnel needs
    # without the count tables — what the hand-written aggregate over the log costs.
    log_app = create_app({"FUNNEL_COUNTS": False})
    log_page = PageClient(log_app)
    assert log_page.login("planner@demo-expo.ru", DEMO_PASSWORD).status_code == 302
    cases = [("the largest exhibition", f"/funnel/?exhibition_id={show_id}", 50),
             ("the median exhibition", f"/funnel/?exhibition_id={median_id}", 50),
             ("company-wide funnel", "/funnel/", 1000),
             ("managers page", "/funnel/managers", 1000),
             ("API: company-wide funnel", None, 1000)]
    print(f"{'page':28} {'page ms':>9} {'its SQL ms':>11} {'ratio':>6} {'log SQL ms':>11} {'ratio':>6} "
          f"{'target ms':>10} statements")
    for title, url, target in cases:
        if url is None:
            from expo.core.models import User
            from expo.core.services.users import issue_token
            from expo.core.models import SYSTEM

            with app.app_context():
                planner = db.session().scalar(select(User).where(User.email == "planner@demo-expo.ru"))
                token = issue_token(planner, SYSTEM)
                db.commit()
            http = app.test_client()

            def fetch(http=http, token=token):
                response = http.get("/api/v1/funnel", headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, response.status_code
        else:
            fetch = page_getter(page, url)
        page_ms, sql_ms, statements = page_and_sql(app, fetch, args.runs)
        log_sql_ms = None
        if url is not None:
            log_statements = statements_of(log_app, lambda url=url: log_page.get(url).get_data())
            log_sql_ms = median_ms(raw(log_app, log_statements), args.runs)
        verdict = "ok" if page_ms < target and page_ms <= 3 * sql_ms else "MISSED"
        log_text = f"{log_sql_ms:11.1f} {page_ms / log_sql_ms:6.2f}" if log_sql_ms else f"{'':11} {'':6}"
        print(f"{title:28} {page_ms:9.1f} {sql_ms:11.1f} {page_ms / sql_ms:6.2f} {log_text} {target:10d} "
              f"{statements}  {verdict}")


if __name__ == "__main__":
    main()
