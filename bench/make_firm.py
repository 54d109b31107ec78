"""Fill an empty database with a large, believable firm, fast (expo.core.bulk: COPY on PostgreSQL).

Usage: EXPO_DATABASE_URL=... python bench/make_firm.py [--clients 200000] [--engagements-per-client 5]
The schema must exist (expo db upgrade) and hold no users or clients yet. Deterministic: the same
seed on the same day makes the same firm. Prints the time of each phase and what was written.
"""
from __future__ import annotations

import argparse
import sys
import time

from expo import create_app
from expo.core.bulk import FirmSize, load_firm
from expo.core.demo import DEMO_PASSWORD
from expo.core.errors import Conflict


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200_000)
    parser.add_argument("--engagements-per-client", type=int, default=5, help="on average")
    parser.add_argument("--managers", type=int, default=16)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    began = time.perf_counter()

    def progress(message: str) -> None:
        print(f"{time.perf_counter() - began:7.1f} s  {message}", flush=True)

    app = create_app()
    with app.app_context():
        try:
            counts = load_firm(FirmSize(args.clients, args.engagements_per_client, args.managers), DEMO_PASSWORD,
                               seed=args.seed, progress=progress)
        except Conflict as problem:
            sys.exit(f"make_firm: {problem}")
    progress("done: " + ", ".join(f"{count} {table}" for table, count in counts.items()))
    print(f"log in as admin@demo-expo.ru (or manager1@…, planner@…, viewer@demo-expo.ru) / {DEMO_PASSWORD}")


if __name__ == "__main__":
    main()
