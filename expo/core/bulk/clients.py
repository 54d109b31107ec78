"""One batch of clients: each client's row, contacts, engagements and their history.

Everything a batch needs is in a :class:`Plan` made once by the parent; a batch draws from its own
random generator, so batches can be made in any order, by any process, and still make the same firm.
Ids in a batch count from 1 (see :mod:`expo.core.bulk.batches`).
"""
from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass

from expo.core.bulk import names
from expo.core.bulk.calendar import DAY, WorkCalendar
from expo.core.bulk.records import Deal, History, activity_row, contract_amount
from expo.core.bulk.sinks import TABLES
from expo.core.bulk.walk import ScenarioMap, walk
from expo.core.names import name_key
from expo.core.services.clients import search_key

BATCH = 2000  # clients per batch: a few tens of thousands of rows in memory at a time
HISTORY_DAYS = 1000  # the oldest client came this long before today
RECENT_DAYS = 365  # a contract for an exhibition that ended within a year makes a client active
CONTACTS_PER_CLIENT = [1, 1, 1, 1, 2, 2, 2, 3, 3]
UNASSIGNED_LEADS = 0.15  # share of clients without engagements that wait for a planner to assign them


@dataclass(frozen=True)
class Show:
    """An exhibition, in calendar days."""

    id: int
    starts: int
    ends: int
    sales_start: int
    sales_end: int


@dataclass(frozen=True)
class Plan:
    clients: int
    engagements_per_client: int
    seed: int
    calendar: WorkCalendar
    scenario: ScenarioMap
    shows: list[Show]  # those on sale by today, sorted by the end of sales
    planners: list[int]
    managers: names.Weighted  # manager ids, weighted by their share of the clients
    stalled_days: int
    done_notes: dict[str, str]  # task title -> the note its completion writes

    @property
    def batches(self) -> int:
        return -(-self.clients // BATCH)


def make_batch(plan: Plan, index: int) -> dict[str, list[dict]]:
    """The rows of the clients ``index * BATCH + 1`` onwards, with ids counted from 1."""
    rows: dict[str, list[dict]] = {table: [] for table in TABLES}
    maker = _ClientMaker(plan, random.Random(f"{plan.seed}/{index}"), rows)
    first = index * BATCH
    for local in range(1, min(BATCH, plan.clients - first) + 1):
        maker.make(local, first + local)
    return rows


class _ClientMaker:
    def __init__(self, plan: Plan, rng: random.Random, rows: dict[str, list[dict]]):
        self.plan, self.calendar, self.rng = plan, plan.calendar, rng
        self.clients, self.contacts, self.activities = (rows[t].append for t in ("clients", "contacts", "activities"))
        self.history = History(plan.calendar, rng, rows, plan.stalled_days, plan.done_notes)
        self.sales_ends = [s.sales_end for s in plan.shows]
        self.next_engagement_id = iter(range(1, 2**31)).__next__
        self.next_contact_id = iter(range(1, 2**31)).__next__

    def make(self, client_id: int, number: int) -> None:
        """Client ``client_id`` of the batch, the firm's ``number``-th (which keeps its tax id unique)."""
        calendar, rng, plan = self.calendar, self.rng, self.plan
        region, industry = names.REGION_PICK.pick(rng), names.INDUSTRY_PICK.pick(rng)
        company = names.company(rng, industry, number)
        created = calendar.moment(calendar.today - HISTORY_DAYS + int(rng.random() * (HISTORY_DAYS - 30)), rng)
        budget = max(50_000, int(round(rng.lognormvariate(13.0, 0.7), -4)))  # its usual spend, ~440 000 ₽
        eligible = plan.shows[bisect_left(self.sales_ends, created // DAY + 1):]
        shows = rng.sample(eligible, min(len(eligible), rng.randint(0, 2 * plan.engagements_per_client)))
        manager = plan.managers.pick(rng) if shows or rng.random() > UNASSIGNED_LEADS else None
        category, updated = "potential", created
        for show in shows:
            won_at = self._engagement(client_id, show, manager, created, budget)
            if won_at is not None:
                recent = show.ends >= calendar.today - RECENT_DAYS
                category = "active" if recent or category == "active" else "lost"
                updated = max(updated, won_at)
        self._client_row(client_id, number, company, region, industry, category, manager, created, updated)
        self._contacts(client_id, company, region, created)
        if not shows and rng.random() < 0.5:  # a first call to a lead that has no engagement yet
            self.activities(activity_row(self.history.next_activity_id(), None, "call",
                                         "Первый звонок, клиент попросил материалы",
                                         calendar.between(created, calendar.now, rng), calendar.utc,
                                         client_id=client_id, author_id=manager))

    def _engagement(self, client_id: int, show: Show, manager: int | None, created: int, budget: int) -> int | None:
        """Open and walk one engagement; returns when it was won, if it was."""
        calendar, rng, plan = self.calendar, self.rng, self.plan
        first = max(show.sales_start, created // DAY)
        last = min(show.sales_end, calendar.today - 1)
        opened = max(created + 1, calendar.moment(first + int(rng.random() * (last - first + 1)), rng))
        walked = walk(plan.scenario, calendar, rng, opened, (show.sales_end + 1) * DAY - 1)
        expected = max(10_000, int(round(budget * (0.6 + 0.8 * rng.random()), -4))) if rng.random() < 0.93 else None
        won = walked.result is not None and walked.result.kind == "won"
        opener = names.pick(rng, plan.planners) if rng.random() < 0.6 else manager  # who opened it
        deal = Deal(self.next_engagement_id(), client_id, show.id, manager, opener, plan.scenario.id, expected)
        self.history.record(deal, walked, contract_amount(rng, expected, budget) if won else None)
        return walked.closed if won else None

    def _client_row(self, client_id, number, company, region, industry, category, manager, created, updated):
        rng, utc = self.rng, self.calendar.utc
        if company.domain:
            email = f"{names.pick(rng, ['info', 'info', 'sales', 'office'])}@{company.domain}"
        else:
            email = names.work_email(company.owner, None, rng)
        self.clients({
            "id": client_id, "name": company.name, "name_search": search_key(company.name),
            "name_key": name_key(company.name),
            "tax_id": names.inn(region, number * 7919 + 1_234_567, company.sole_trader),
            "region": region.name, "industry": industry, "channel": names.CHANNEL_PICK.pick(rng),
            "category": category, "website": f"https://{company.domain}" if company.domain and rng.random() < 0.85
            else None, "email": email, "phone": names.phone(rng, region),
            "notes": names.pick(rng, names.CLIENT_NOTES) if rng.random() < 0.12 else None, "manager_id": manager,
            "created_at": utc(created), "updated_at": utc(updated),
        })

    def _contacts(self, client_id: int, company: names.Company, region: names.Region, created: int) -> None:
        rng, calendar = self.rng, self.calendar
        today = calendar.date(calendar.today)
        for i in range(names.pick(rng, CONTACTS_PER_CLIENT)):
            if i == 0 and company.owner is not None:  # a sole trader answers the phone himself
                someone, position = company.owner, "Индивидуальный предприниматель"
            else:
                someone = names.person(rng)
                director = i == 0 and rng.random() < 0.5
                position = names.POSITIONS[0 if director else rng.randrange(1, len(names.POSITIONS))]
            self.contacts({
                "id": self.next_contact_id(), "client_id": client_id, "name": someone.full_name,
                "position": position,
                "phone": names.phone(rng, region) + (f" доб. {rng.randrange(100, 1000)}" if rng.random() < 0.5 else ""),
                "mobile": names.mobile(rng) if rng.random() < 0.7 else None,
                "email": names.work_email(someone, company.domain, rng),
                "birthday": names.birthday(rng, today) if rng.random() < 0.6 else None,
                "preferences": names.pick(rng, names.PREFERENCES) if rng.random() < 0.15 else None,
                "created_at": calendar.utc(created + 5 + i * 3),
            })
