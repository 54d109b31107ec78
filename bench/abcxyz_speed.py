"""ABC/XYZ (and the nightly recomputation of every client's classes) on PostgreSQL.

Creates a throw-away database (dropped at the end), loads ``--clients`` clients, each with a sale
in every one of ``--months`` months (amounts and margins varied so every class occurs), plus a
won engagement for one client in twenty, by COPY; then times the matrix of the whole period,
ABCDE, and ``recompute()`` (categories and stored classes for every client), then the page's read
of the standard window from the stored classes, median of ``--runs``.

Usage: .venv/bin/python bench/abcxyz_speed.py [--clients 85000] [--months 24] [--runs 3]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date, datetime, timezone

from throwaway import ADMIN_URL, throwaway_database


def load(url: str, clients: int, months: int) -> str:
    """Fill the database; returns the period's first month."""
    import psycopg

    rng = random.Random(12)
    first = date(2024, 1, 1)
    now = datetime(2026, 1, 5, tzinfo=timezone.utc)
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY clients (id, name, name_search, name_key, category, created_at, updated_at) FROM STDIN") as copy:
            for i in range(1, clients + 1):
                name = f"ООО «Клиент {i}»"
                copy.write_row((i, name, name.casefold(), f"клиент {i}", "potential", now, now))
        with cursor.copy("COPY sales (client_id, sold_on, amount, margin, created_at) FROM STDIN") as copy:
            for i in range(1, clients + 1):
                size = rng.paretovariate(1.2) * 1000  # a few big clients, many small ones
                wobble = (0.02, 0.15, 0.6)[i % 3]  # steady, uneven and erratic buyers
                for m in range(months):
                    amount = max(size * (1 + rng.uniform(-wobble, wobble)), 1)
                    margin = amount * (0.2 if i % 17 else -0.05)
                    copy.write_row((i, date(first.year + m // 12, m % 12 + 1, 15), f"{amount:.2f}", f"{margin:.2f}", now))
        cursor.execute("INSERT INTO exhibitions (id, name, starts_on, ends_on, created_at) "
                       "VALUES (1, 'Show', '2025-06-01', '2025-06-04', now())")
        cursor.execute("INSERT INTO engagements (client_id, exhibition_id, state, contract_amount, opened_at, closed_at, version) "
                       "SELECT id, 1, 'won', 5000, '2025-05-01', '2025-06-04', 1 FROM clients WHERE id % 20 = 0")
        cursor.execute("ANALYZE")
    return f"{first.year}-{first.month:02d}"


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=85_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    args = parser.parse_args()
    with throwaway_database("abc", args.admin_url, PLUGINS="segments",
                            SEGMENTS_WINDOW_MONTHS=args.months) as (url, _folder, app):
        began = time.perf_counter()
        start = load(url, args.clients, args.months)
        print(f"loaded {args.clients} clients × {args.months} months of sales in {time.perf_counter() - began:.0f} s")
        from expo.hooks import SYSTEM, db_session
        from expo_segments import queries

        with app.test_request_context():
            last_index = int(start[:4]) * 12 + int(start[5:]) - 1 + args.months - 1
            period = queries.Period(start, f"{last_index // 12:04d}-{last_index % 12 + 1:02d}")
            thresholds = queries.Thresholds.from_settings()
            cells = {}
            seconds = median_seconds(lambda: cells.update(queries.matrix(SYSTEM, period, thresholds)), args.runs)
            print(f"ABC/XYZ matrix {period.first}…{period.last}: {seconds:.2f} s (median of {args.runs}); "
                  + ", ".join(f"{a}{x} {c['clients']}" for (a, x), c in cells.items()))
            seconds = median_seconds(lambda: queries.abcde_counts(SYSTEM, period, thresholds), args.runs)
            print(f"ABCDE counts: {seconds:.2f} s")

            def recompute():
                queries.recompute()
                db_session().commit()

            print(f"recompute every client's category and classes: {median_seconds(recompute, args.runs):.2f} s")
            standard = queries.Period.standard()
            assert queries.uses_stored_classes(standard)
            seconds = median_seconds(lambda: (queries.matrix(SYSTEM, standard, thresholds),
                                              queries.abcde_counts(SYSTEM, standard, thresholds)), args.runs)
            print(f"the page's matrix and ABCDE for the standard window, from the stored classes: "
                  f"{seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
