"""A whole firm at once: staff, two years of exhibitions, clients with contacts, engagements with history.

The staff and the exhibitions go in through the ORM; the clients are made in batches (in worker
processes on PostgreSQL) and written through a sink (binary COPY), so memory stays flat whatever the
size. Nothing goes through the services: no hooks fire and nothing is audited, which is what makes
200 000 clients a matter of minutes; the rows are the ones the services would have written (see
:mod:`expo.core.bulk.records`). Seeded: the same seed and the same day make the same firm.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Callable
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.bulk import names
from expo.core.bulk.batches import in_order
from expo.core.bulk.calendar import DAY, WorkCalendar
from expo.core.bulk.clients import HISTORY_DAYS, Plan, Show, make_batch
from expo.core.bulk.records import done_note
from expo.core.bulk.sinks import TABLES, sink_for
from expo.core.bulk.walk import ScenarioMap
from expo.core.errors import Conflict
from expo.core.models import Client, Exhibition, PermissionGrant, PickListItem, User
from expo.core.scenarios.store import default_scenario
from expo.core.services import engagement_counts
from expo.core.services.users import hash_password

# staff besides the managers: (e-mail, name, role)
STAFF = [
    ("admin@demo-expo.ru", "Анна Белова", "admin"),
    ("planner@demo-expo.ru", "Павел Плотников", "planner"),
    ("planner2@demo-expo.ru", "Ирина Громова", "planner"),
    ("viewer@demo-expo.ru", "Виктор Дмитриев", "viewer"),
]
# annual exhibitions: (name, venue, month, day, days long)
SHOWS = [
    ("ПродЭкспо", "Экспоцентр", 2, 5, 5), ("Сибирская строительная неделя", "Новосибирск Экспоцентр", 2, 17, 4),
    ("ХимИндустрия", "Экспоцентр", 3, 14, 4), ("Нефтегаз", "Экспоцентр", 4, 11, 4),
    ("Транспорт и логистика", "ВДНХ", 4, 22, 3), ("Казанский промышленный форум", "Казань Экспо", 5, 20, 3),
    ("ЭнергоФорум", "Экспофорум", 6, 2, 3), ("Иннопром", "Екатеринбург-Экспо", 7, 7, 4),
    ("Софтком", "Крокус Экспо", 9, 9, 3), ("Строительная неделя", "Крокус Экспо", 9, 23, 4),
    ("АгроСалон", "Крокус Экспо", 10, 7, 4), ("Металл-Экспо", "ВДНХ", 11, 10, 4),
    ("Мебель и интерьер", "Экспоцентр", 11, 24, 4), ("Здравоохранение", "Экспоцентр", 12, 1, 5),
    ("Образование и карьера", "Гостиный двор", 1, 27, 3),
]
SALES_OPEN_DAYS, SALES_CLOSE_DAYS = 270, 14  # sales run from 9 months to 2 weeks before the opening
PAST_DAYS, FUTURE_DAYS = 425, 305  # exhibitions over two years around today


@dataclass(frozen=True)
class FirmSize:
    clients: int
    engagements_per_client: int  # on average: each client has 0 to twice this many
    managers: int = 16


def load_firm(size: FirmSize, password: str, seed: int = 7, today: date | None = None, workers: int | None = None,
              progress: Callable[[str], None] = lambda _message: None) -> dict[str, int]:
    """Fill an empty database with a firm of ``size``; every user's password is ``password``.

    Returns how many rows each table got. Refuses a database that has users or clients already.
    ``workers``: processes making batches (default: one per core on PostgreSQL, none on SQLite,
    whose single writer leaves nothing to overlap). ``progress`` hears what is being done.
    """
    session = db.session()
    if session.scalar(select(func.count(User.id))) or session.scalar(select(func.count(Client.id))):
        raise Conflict(_l("The database already has users or clients; bulk loading needs an empty one."))
    rng = random.Random(seed)
    calendar = WorkCalendar(ZoneInfo(current_app.config["TIMEZONE"]), today or clock.today())
    scenario = default_scenario()
    staff, managers = _make_users(size, password, calendar, rng)
    shows = _make_exhibitions(calendar)
    _make_pick_lists()
    plan = Plan(
        clients=size.clients, engagements_per_client=size.engagements_per_client, seed=seed, calendar=calendar,
        scenario=ScenarioMap(scenario), shows=[s for s in shows if s.sales_start < calendar.today],
        planners=[u.id for u in staff if u.role == "planner"],
        # uneven loads: the first manager, the senior one, carries about five times an average share
        managers=names.Weighted([(m.id, 5.0 if i == 0 else 0.5 + rng.random()) for i, m in enumerate(managers)]),
        stalled_days=current_app.config["STALLED_DAYS"],
        done_notes={a.title: done_note(a.title) for step in scenario.steps for a in step.actions},
    )
    sink = sink_for(session.connection())
    sink.begin()
    if workers is None:
        workers = (os.cpu_count() or 1) if session.connection().dialect.name == "postgresql" else 1
    counts = dict.fromkeys(TABLES, 0)
    for rendered, sizes in in_order(partial(make_batch, plan), plan.batches, sink.render, workers):
        sink.write(rendered)
        counts = {table: counts[table] + sizes[table] for table in TABLES}
        if counts["clients"] % 20_000 == 0 or counts["clients"] == size.clients:
            progress(f"{counts['clients']} clients written")
    progress("rebuilding indexes")
    sink.finish()
    engagement_counts.rebuild(session.execute)  # the COPY passed no service that keeps them
    db.commit()
    return {"users": len(staff) + len(managers), "exhibitions": len(shows), **counts}


def _make_pick_lists() -> None:
    """The firm's lists of regions, industries and channels: every value the clients get."""
    lists = {"region": [region.name for region, _weight in names.REGIONS], "industry": list(names.INDUSTRIES),
             "channel": [channel for channel, _weight in names.CHANNELS]}
    db.session().add_all(PickListItem(field=field, value=value, position=position)
                         for field, values in lists.items() for position, value in enumerate(values))


def _make_users(size: FirmSize, password: str, calendar: WorkCalendar, rng: random.Random):
    """The staff and the client-managers; one password hash for all (hashing is slow on purpose)."""
    hashed = hash_password(password)
    joined = calendar.utc(calendar.moment(calendar.today - HISTORY_DAYS - 30, rng))
    staff = [User(email=email, name=name, role=role, password_hash=hashed, created_at=joined)
             for email, name, role in STAFF]
    managers = []
    for i in range(size.managers):
        someone = names.person(rng)
        managers.append(User(email=f"manager{i + 1}@demo-expo.ru", name=someone.short_name, role="manager",
                             password_hash=hashed, created_at=joined))
    staff[0].grants = [PermissionGrant(permission="clients.export"), PermissionGrant(permission="clients.delete")]
    db.session().add_all(staff + managers)
    db.session().flush()
    return staff, managers


def _make_exhibitions(calendar: WorkCalendar) -> list[Show]:
    today = calendar.date(calendar.today)
    made = []
    for year in range(today.year - 2, today.year + 2):
        for name, venue, month, day, length in SHOWS:
            starts = date(year, month, day)
            if not -PAST_DAYS <= (starts - today).days < FUTURE_DAYS:
                continue
            made.append(Exhibition(name=f"{name} {year}", venue=venue, starts_on=starts,
                                   ends_on=starts + timedelta(days=length - 1),
                                   sales_start_on=starts - timedelta(days=SALES_OPEN_DAYS),
                                   sales_end_on=starts - timedelta(days=SALES_CLOSE_DAYS),
                                   created_at=calendar.utc((calendar.day(starts) - SALES_OPEN_DAYS - 20) * DAY)))
    db.session().add_all(made)
    db.session().flush()
    return sorted((Show(x.id, calendar.day(x.starts_on), calendar.day(x.ends_on), calendar.day(x.sales_start_on),
                        calendar.day(x.sales_end_on)) for x in made), key=lambda s: s.sales_end)
