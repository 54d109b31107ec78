"""Every page a firm's people open, at scale: its time against the SQL it issues, per role.

Usage (a firm made by make_firm.py, e.g. ``--clients 200000 --engagements-per-client 5``):
    EXPO_DATABASE_URL=postgresql+psycopg://…/expo_bench EXPO_INSTANCE_DIR=/tmp/bench \\
        python bench/pages.py [--runs 30] [--write docs/performance.md]

Each role logs in through the login form (the admin, and the manager with the most clients); each
page and a replay of the statements one fetch issued, straight through the driver, are run 3 times
to warm up, then ``--runs`` times in turns: a fetch, a replay (page_timing.py). One line per page
and role:

    page=<name> role=<role> p50_ms=<x> p95_ms=<y> raw_ms=<z> ratio=<p50/raw>

With ``--write``, the table replaces the section between the markers in that file (with the
machine and the command). The targets (issue 13): p95 < 150 ms; ratio ≤ 3 where the SQL takes
≥ 5 ms, else at most 3 ms above it.
"""
from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
from datetime import date

from flask import Flask
from sqlalchemy import func, select

from expo import create_app, freeze_heap
from expo.core import db
from expo.core.demo import DEMO_PASSWORD
from expo.core.models import Client, Engagement, User
from expo.core.queries.keyset import Cursor, end_cursor
from expo.testing import PageClient
from page_timing import interleaved_ms, raw, statements_of

WARM_UPS = 3


def markers(database: str) -> tuple[str, str]:
    """The comments around the table of ``database``'s run in the Markdown file (one per database)."""
    return f"<!-- bench/pages.py {database}: begin -->", f"<!-- bench/pages.py {database}: end -->"


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bare_flask_ms() -> float:
    """The machine's pace, to compare runs of other days: the p50 of a request to a bare Flask app
    (one view returning a string) through the same test client. This machine's speed drifts by a
    third or more between hours; the ms above a page's SQL drift with it."""
    bare = Flask("bare")
    bare.add_url_rule("/", "index", lambda: "ok")
    client = bare.test_client()
    return statistics.median(interleaved_ms(lambda: client.get("/").get_data(), lambda: None, 300, 30)[0])


def fixtures(app) -> dict:
    """The firm's own ids and values the pages are opened with (the busiest, the most common, a rare one)."""
    with app.app_context():
        s = db.session()
        manager = s.execute(select(User.email, User.id).join(Client, Client.manager_id == User.id)
                            .group_by(User.id).order_by(func.count().desc()).limit(1)).one()

        def common(column, where=()):
            return s.scalar(select(column).where(column.is_not(None), *where).group_by(column)
                            .order_by(func.count().desc()).limit(1))

        def rare(column):
            return s.scalar(select(column).where(column.is_not(None)).group_by(column)
                            .order_by(func.count(), column).limit(1))

        found = {
            "manager_email": manager.email, "manager_id": manager.id,
            "region": common(Client.region), "industry": common(Client.industry),
            "channel": common(Client.channel), "category": common(Client.category),
            # the manager's first client that has engagements (the engagement page opens one of them)
            "client_id": s.scalar(select(Client.id).where(Client.manager_id == manager.id,
                                                          select(Engagement.id).where(Engagement.client_id == Client.id)
                                                          .exists()).order_by(Client.id).limit(1)),
            "exhibition_id": s.scalar(select(Engagement.exhibition_id).group_by(Engagement.exhibition_id)
                                      .order_by(func.count().desc()).limit(1)),
            "clients": s.scalar(select(func.count()).select_from(Client)),
            "engagements": s.scalar(select(func.count()).select_from(Engagement)),
        }
        # The deep page is the one the pager's "next" reaches at row 100 000 (half way for the
        # manager): its cursor, as the page before it would have written it.
        deep = {}
        for role, where in (("admin", ()), ("manager", (Client.manager_id == manager.id,))):
            live = select(Client.name_key, Client.id).where(Client.deleted_at.is_(None), *where)
            position = min(100_000, s.scalar(select(func.count()).select_from(live.subquery())) // 2)
            row = s.execute(live.order_by(Client.name_key, Client.id).offset(position - 1).limit(1)).one()
            deep[role] = Cursor("name", 0, tuple(row), False, position).token()
        found["deep_cursor"] = deep
        found["last_cursor"] = end_cursor("name", 1, 0).token()
        found["engagement_id"] = s.scalar(select(Engagement.id).where(Engagement.client_id == found["client_id"])
                                          .order_by(Engagement.id).limit(1))
        name = s.scalar(select(Client.name).where(Client.id == found["client_id"]))
        # a common search: a frequent part of names (one in twenty); a rare one: one client's own name
        found["common_q"] = "центр"
        found["rare_q"] = re.sub(r"^\W*(ООО|АО|ЗАО|ПАО|ИП)\W*", "", name or "")[:12]
        s.rollback()
    return found


def pages(f: dict, role: str, plugins: set[str]) -> list[tuple[str, str]]:
    found = [("home", "/"), ("clients", "/clients/")]
    for key in ("region", "industry", "channel", "category"):
        found.append((f"clients {key}", f"/clients/?{key}={f[key]}"))
    if role == "admin":
        found.append(("clients manager", f"/clients/?manager_id={f['manager_id']}"))
    for key in ("name", "created_at", "region", "industry", "category"):
        found += [(f"clients sort {key}", f"/clients/?sort={key}"), (f"clients sort -{key}", f"/clients/?sort=-{key}")]
    found += [("clients search common", f"/clients/?q={f['common_q']}"),
              ("clients search rare", f"/clients/?q={f['rare_q']}"),
              ("clients deep page", f"/clients/?cursor={f['deep_cursor'][role]}"),
              ("clients last page", f"/clients/?cursor={f['last_cursor']}"),
              ("client card", f"/clients/{f['client_id']}"),
              ("engagement", f"/engagements/{f['engagement_id']}"),
              ("exhibitions", "/exhibitions/"),
              ("exhibition board", f"/exhibitions/{f['exhibition_id']}"),
              ("my tasks", "/tasks"),
              ("reports", "/reports/")]
    plugin_pages = {"ratings": [("ratings", "/ratings/")], "segments": [("segments", "/segments/")],
                    "funnel": [("funnel", "/funnel/"), ("funnel exhibition", f"/funnel/?exhibition_id={f['exhibition_id']}"),
                               ("funnel managers", "/funnel/managers")],
                    "planning": [("planning", "/planning/")]}
    for plugin in sorted(plugins):
        found += plugin_pages.get(plugin, [])
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--write", help="a Markdown file whose bench/pages.py section gets the table")
    parser.add_argument("--only", default="", help="a regular expression: only the pages whose name matches")
    args = parser.parse_args()
    app = create_app()
    freeze_heap()  # as wsgi.py does for every worker
    plugins = set(app.blueprints)  # each enabled plugin's pages are its blueprint
    f = fixtures(app)
    f["bare_ms"] = bare_flask_ms()
    print(f"{f['clients']} clients, {f['engagements']} engagements; the manager with the most clients: "
          f"{f['manager_email']}; a bare Flask request: {f['bare_ms']:.2f} ms", flush=True)
    rows = []
    for role, email in (("admin", "admin@demo-expo.ru"), ("manager", f["manager_email"])):
        page = PageClient(app)
        assert page.login(email, DEMO_PASSWORD).status_code == 302, f"{email} cannot log in"
        for name, url in pages(f, role, plugins):
            if not re.search(args.only, name):
                continue
            response = page.get(url)
            if response.status_code != 200:  # a page this role may not open (e.g. a plugin for planners)
                print(f"page={name.replace(' ', '_')} role={role} status={response.status_code}", flush=True)
                continue

            def fetch(url=url):
                response = page.get(url)
                assert response.status_code == 200, (url, response.status_code)
                response.get_data()

            statements = statements_of(app, fetch)
            times, raw_times = interleaved_ms(fetch, raw(app, statements), args.runs, WARM_UPS)
            raw_ms = statistics.median(raw_times)
            p50, p95 = statistics.median(times), percentile(times, 0.95)
            ok = p95 < 150 and (p50 <= 3 * raw_ms if raw_ms >= 5 else p50 <= raw_ms + 3)
            rows.append((name, role, p50, p95, raw_ms, len(statements), ok))
            print(f"page={name.replace(' ', '_')} role={role} p50_ms={p50:.1f} p95_ms={p95:.1f} "
                  f"raw_ms={raw_ms:.1f} ratio={p50 / raw_ms:.2f}", flush=True)
    missed = [r for r in rows if not r[-1]]
    print(f"{len(rows) - len(missed)} of {len(rows)} within target", flush=True)
    if args.write:
        write(args.write, rows, f, app.extensions["expo.engine"].dialect.name)


def write(path: str, rows, f: dict, database: str) -> None:
    begin, end = markers(database)
    lines = [begin, "",
             f"Measured {date.today():%Y-%m-%d} on {platform.node() or 'this machine'} ({os.cpu_count()} cores, "
             f"Python {platform.python_version()}), {database}, {f['clients']} clients and {f['engagements']} engagements, "
             f"in-process (Flask's test client, no HTTP server); the machine's pace: a bare Flask app answered "
             f"in {f['bare_ms']:.2f} ms:", "",
             f"    python bench/pages.py {' '.join(sys.argv[1:])}", "",
             "| page | role | p50 ms | p95 ms | its SQL ms | ratio | statements | within target |",
             "|---|---|---|---|---|---|---|---|"]
    for name, role, p50, p95, raw_ms, statements, ok in rows:
        lines.append(f"| {name} | {role} | {p50:.1f} | {p95:.1f} | {raw_ms:.1f} | {p50 / raw_ms:.2f} | "
                     f"{statements} | {'yes' if ok else '**no**'} |")
    lines += ["", end]
    with open(path, encoding="utf-8") as existing:
        text = existing.read()
    block = "\n".join(lines)
    if begin in text:
        text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n## Every page at scale (issue 13, `bench/pages.py`)\n\n" + block + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
