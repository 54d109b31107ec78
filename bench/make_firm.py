"""Fill a database with a large firm, fast (bulk inserts, no hooks): 10 000 clients, 20 000 engagements.

Usage: EXPO_DATABASE_URL=... python bench/make_firm.py [--clients 10000] [--engagements-per-client 2]
The schema must exist (expo db upgrade). Deterministic: seeded randomness.
"""
from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import insert

from expo import create_app
from expo.core import db
from expo.core.models import Client, Engagement, Exhibition, StepLog, Task, User
from expo.core.scenarios.store import default_scenario
from expo.core.services.users import hash_password

START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--engagements-per-client", type=int, default=2)
    args = parser.parse_args()
    rng = random.Random(7)
    app = create_app()
    began = time.perf_counter()
    with app.app_context():
        session = db.session()
        password = hash_password("bench")
        managers = [User(email=f"bench-m{i}@bench.ru", name=f"Менеджер {i:02d}", role="manager",
                         password_hash=password) for i in range(12)]
        session.add_all(managers + [User(email="bench-p@bench.ru", name="Планировщик", role="planner",
                                         password_hash=password)])
        shows = [Exhibition(name=f"Выставка {i}", venue="Экспоцентр", starts_on=date(2026, 2 + i, 10),
                            ends_on=date(2026, 2 + i, 13)) for i in range(6)]
        session.add_all(shows)
        session.flush()
        scenario = default_scenario()
        steps = [s.key for s in scenario.steps]
        ends = {s.key: [o for o in s.outcomes if o.result] for s in scenario.steps}
        results = {r.key: r for r in scenario.results}
        db.commit()
        clients, engagements, logs, tasks = [], [], [], []
        for n in range(args.clients):
            manager = managers[n % len(managers)]
            created = START + timedelta(minutes=rng.randrange(0, 330 * 24 * 60))
            clients.append({"id": n + 1_000_000, "name": f"ООО «Клиент {n}»", "name_search": f"ооо «клиент {n}»",
                            "region": rng.choice(["Москва", "Казань", "Самара"]), "category": "potential",
                            "manager_id": manager.id, "created_at": created, "updated_at": created})
            for show in rng.sample(shows, args.engagements_per_client):
                eid = len(engagements) + 1_000_000
                opened = created + timedelta(days=rng.randrange(0, 20))
                depth = rng.randrange(1, len(steps) + 1)
                closed = rng.random() < 0.6
                result = rng.choice(ends[steps[depth - 1]]).result if closed else None
                kind = results[result].kind if result else None
                closed_at = opened + timedelta(days=depth * 3) if closed else None
                engagements.append({"id": eid, "client_id": n + 1_000_000, "exhibition_id": show.id,
                                    "manager_id": manager.id, "scenario_id": scenario.id,
                                    "step": None if closed else steps[depth - 1], "state": kind or "open",
                                    "result": result, "opened_at": opened, "closed_at": closed_at, "version": 1,
                                    "expected_amount": Decimal(rng.randrange(100, 3000) * 1000),
                                    "contract_amount": Decimal(rng.randrange(100, 3000) * 1000) if kind == "won" else None})
                for i in range(depth):
                    left = i < depth - 1 or closed
                    logs.append({"engagement_id": eid, "scenario_id": scenario.id, "exhibition_id": show.id,
                                 "manager_id": manager.id, "step": steps[i], "entered_at": opened + timedelta(days=3 * i),
                                 "left_at": opened + timedelta(days=3 * i + 3) if left else None,
                                 "outcome": "x" if left else None, "result": result, "result_kind": kind,
                                 "result_reason": results[result].reason if result else None})
                if not closed:
                    tasks.append({"assignee_id": manager.id, "client_id": n + 1_000_000, "engagement_id": eid,
                                  "title": "Позвонить", "due_on": (opened + timedelta(days=2)).date(),
                                  "hard_deadline": rng.random() < 0.5, "created_at": opened})
        for model, rows in ((Client, clients), (Engagement, engagements), (StepLog, logs), (Task, tasks)):
            for i in range(0, len(rows), 5000):
                session.execute(insert(model), rows[i:i + 5000])
        db.commit()
    print(f"{len(clients)} clients, {len(engagements)} engagements, {len(logs)} step-log rows, "
          f"{len(tasks)} tasks in {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
