"""Demo data: a believable firm selling exhibition participation, in Russian.

The small firm goes through the core services, so plugins see the same events as with real work.
The large one is bulk-loaded (:mod:`expo.core.bulk`, the benchmarks' generator): seconds instead of
minutes, no hooks fired. Seeded randomness: the same command makes the same firm.
"""
from __future__ import annotations

import random
from collections import deque
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app

from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.bulk import FirmSize, load_firm
from expo.core.models import SYSTEM, Activity, Sale, Scenario, User, utcnow
from expo.core.services import activities, clients, engagements, exhibitions, process, tasks, users

DEMO_PASSWORD = "demo"
SMALL = {"clients": 500, "managers": 4}
LARGE = FirmSize(clients=10_000, engagements_per_client=3, managers=12)

STAFF = [
    ("admin@demo-expo.ru", "Анна Администратор", "admin"),
    ("planner@demo-expo.ru", "Павел Плановиков", "planner"),
    ("viewer@demo-expo.ru", "Виктор Директоров", "viewer"),
]
MANAGER_NAMES = ["Мария Иванова", "Олег Смирнов", "Елена Кузнецова", "Дмитрий Попов", "Ольга Васильева",
                 "Игорь Петров", "Наталья Соколова", "Сергей Михайлов", "Татьяна Фёдорова", "Андрей Морозов",
                 "Светлана Волкова", "Алексей Алексеев"]
FORMS = ["ООО", "АО", "ООО", "ПАО", "ООО", "ИП"]
WORDS_A = ["Северная", "Уральская", "Сибирская", "Волжская", "Балтийская", "Московская", "Южная", "Невская",
           "Первая", "Новая", "Центральная", "Восточная"]
WORDS_B = ["Стройкомплект", "Техносервис", "Агропром", "Медтехника", "Энергосистемы", "Логистик",
           "Металлоконструкции", "Пищепром", "Инжиниринг", "Автоматика", "Полимер", "Оптторг", "Мебельтрест"]
REGIONS = ["Москва", "Санкт-Петербург", "Екатеринбург", "Новосибирск", "Казань", "Нижний Новгород",
           "Краснодар", "Самара"]
INDUSTRIES = ["Строительство", "Машиностроение", "Пищевая промышленность", "Информационные технологии",
              "Медицина", "Логистика", "Энергетика", "Сельское хозяйство"]
CHANNELS = ["Выставка", "Сайт", "Рекомендация", "Холодный звонок", "Рассылка"]
# Contacts' names agree in gender: first name, patronymic (from the father's name) and surname.
MALE_FIRST = ["Алексей", "Сергей", "Николай", "Владимир", "Михаил", "Андрей", "Павел", "Денис"]
FEMALE_FIRST = ["Ирина", "Марина", "Юлия", "Екатерина", "Анна", "Светлана", "Ольга", "Наталья"]
FATHERS = [("Сергеевич", "Сергеевна"), ("Александрович", "Александровна"), ("Игоревич", "Игоревна"),
           ("Викторович", "Викторовна"), ("Николаевич", "Николаевна"), ("Петрович", "Петровна")]
SURNAMES = [("Орлов", "Орлова"), ("Белов", "Белова"), ("Зайцев", "Зайцева"), ("Лебедев", "Лебедева"),
            ("Козлов", "Козлова"), ("Новиков", "Новикова"), ("Егоров", "Егорова"), ("Громов", "Громова"),
            ("Вишневский", "Вишневская"), ("Степанов", "Степанова")]
POSITIONS = ["Генеральный директор", "Коммерческий директор", "Директор по маркетингу", "Менеджер по закупкам",
             "Руководитель отдела продаж"]
EXHIBITIONS = [
    ("Иннопром 2026", "Екатеринбург-Экспо", date(2026, 7, 6)),
    ("Строительная неделя 2026", "Крокус Экспо", date(2026, 9, 15)),
    ("ПродЭкспо 2027", "Экспоцентр", date(2027, 2, 8)),
    ("Здравоохранение 2026", "Экспоцентр", date(2026, 12, 7)),
    ("Транспорт и логистика 2027", "ВДНХ", date(2027, 4, 20)),
    ("ЭнергоФорум 2027", "Ленэкспо", date(2027, 6, 1)),
]
NOTES = ["Позвонили, обсудили участие", "Отправлены материалы о выставке", "Провели презентацию стенда",
         "Выслано коммерческое предложение", "Клиент просит перезвонить через неделю", "Встреча в офисе клиента"]


def person_name(rng: random.Random) -> str:
    """«Имя Отчество Фамилия», all three of one gender."""
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_FIRST if female else MALE_FIRST)
    patronymic, surname = (pair[female] for pair in (rng.choice(FATHERS), rng.choice(SURNAMES)))
    return f"{first} {patronymic} {surname}"


def business_time(rng: random.Random, day: date) -> datetime:
    """A moment of the working day ``day`` (9:00–18:30 in the firm's time zone), in UTC."""
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    local = datetime.combine(day, time(9), zone) + timedelta(minutes=rng.randrange(0, 9 * 60 + 30))
    return local.astimezone(timezone.utc)


def _paths(scenario: Scenario) -> dict[str, list[str]]:
    """``{step or result key: outcome keys that lead there from the first step}`` (shortest)."""
    first = scenario.steps[0].key
    paths, queue = {first: []}, deque([first])
    while queue:
        step = scenario.step(queue.popleft())
        for outcome in step.outcomes:
            target = outcome.next_step or outcome.result
            if target not in paths:
                paths[target] = paths[step.key] + [outcome.key]
                if outcome.next_step:
                    queue.append(target)
    return paths


def _targets(scenario: Scenario, each: int = 3) -> list[list[str]]:
    """Outcome paths that put ``each`` engagements at every step and every result of the scenario."""
    paths = _paths(scenario)
    keys = [s.key for s in scenario.steps] + [r.key for r in scenario.results]
    return [paths[key] for key in keys if key in paths for _ in range(each)]


def _choose(engagement, outcome_key: str, manager) -> None:
    """Choose an outcome; a result that asks for the contract amount gets the expected one for now
    (the caller sets the real, varied amount on a won engagement afterwards)."""
    move = process.resolve_outcome(engagement, outcome_key)
    amount = (engagement.expected_amount or Decimal(1000)) if move.needs_amount else None
    process.choose_outcome(engagement, outcome_key, manager, contract_amount=amount)


def _walk(rng: random.Random, engagement, manager) -> None:
    """Move an engagement along its scenario: forward a few steps, then often to a result."""
    for _ in range(rng.randint(0, len(engagement.scenario.steps))):
        step = engagement.scenario.step(engagement.step)
        forward = [o for o in step.outcomes if o.next_step]
        if not forward or rng.random() < 0.25:
            break
        _choose(engagement, forward[0].key, manager)
    if rng.random() < 0.6:
        step = engagement.scenario.step(engagement.step)
        ends = [o for o in step.outcomes if o.result]
        # the first result outcome is weighted up (at the offer step: the signed contract)
        _choose(engagement, rng.choice(ends + [ends[0]] * 2).key, manager)


def _past_sales(rng: random.Random, client_id: int) -> None:
    """Two years of a client's purchases, as an import of the firm's old books would bring them:
    most clients buy, a few big ones bring most of the money, some buy steadily every month or
    quarter, some at random, and some stopped half a year ago (lost, and due for reactivation)."""
    if rng.random() < 0.35:
        return  # never bought: a potential client
    size = Decimal(int(rng.paretovariate(1.3) * 40)) * 1000
    habit = rng.random()
    # a steady monthly buyer (X), an uneven one (Y), or one every few months (Z)
    every, spread, skips = (1, 5, 0.0) if habit < 0.3 else (1, 30, 0.05) if habit < 0.6 else \
        (rng.choice([2, 3, 6]), 30, 0.15)
    stopped = 6 + rng.randrange(6) if rng.random() < 0.2 else 0  # months ago it last bought
    today = clock.today().replace(day=15)
    sales = []
    for months_ago in range(24, stopped, -every):
        if rng.random() < skips:
            continue  # a skipped purchase
        month_index = today.year * 12 + today.month - 1 - months_ago
        wobble = Decimal(rng.randint(100 - spread, 100 + spread)) / 100
        amount = (size * wobble).quantize(Decimal("1.00"))
        sales.append(Sale(client_id=client_id, sold_on=date(month_index // 12, month_index % 12 + 1, 15),
                          amount=amount, margin=(amount * Decimal(rng.choice([18, 25, 30, -5])) / 100)
                          .quantize(Decimal("1.00")), created_at=utcnow()))
    db.session().add_all(sales)


DAY_TASKS = ["Перезвонить по участию в выставке", "Уточнить площадь стенда", "Согласовать счёт на оплату",
             "Отправить план застройки", "Напомнить о сроках оплаты", "Подготовить коммерческое предложение"]


def _manager_day(rng: random.Random, manager: User, planner: User) -> None:
    """The demo manager's own to-do list: some tasks due today, some overdue, some later this week."""
    from expo.core.models import Client

    mine = db.session().scalars(select(Client).where(Client.manager_id == manager.id).order_by(Client.id)
                                .limit(9)).all()
    for n, client in enumerate(mine):
        due = clock.today() + timedelta(days=(0, -rng.randint(1, 6), rng.randint(1, 5))[n % 3])
        tasks.create_task(client, {"title": rng.choice(DAY_TASKS), "due_on": due.isoformat(),
                                   "assignee_id": manager.id}, planner)


def has_users() -> bool:
    return bool(db.session().scalar(select(func.count(User.id))))


def _inn(rng: random.Random) -> str:
    return str(rng.randrange(10**9, 10**10))


def load(scale: str = "small") -> str:
    """Make the demo firm (``small`` or ``large``) in an empty database; returns what was made."""
    if scale == "large":
        counts = load_firm(LARGE, DEMO_PASSWORD, seed=2026)
        return ", ".join(f"{count} {table.replace('_', ' ')}" for table, count in counts.items())
    rng = random.Random(2026)
    size = SMALL
    staff = {}
    for email, name, role in STAFF:
        staff[role] = users.create_user({"email": email, "name": name, "role": role, "password": DEMO_PASSWORD}, SYSTEM)
    users.grant(staff["admin"], "clients.export", SYSTEM)
    users.grant(staff["admin"], "clients.delete", SYSTEM)
    managers = [
        users.create_user({"email": f"manager{i + 1}@demo-expo.ru", "name": name, "role": "manager",
                           "password": DEMO_PASSWORD}, SYSTEM)
        for i, name in enumerate(MANAGER_NAMES[: size["managers"]])
    ]
    planner = staff["planner"]
    shows = [
        exhibitions.create_exhibition({"name": name, "venue": venue, "starts_on": start,
                                       "ends_on": start + timedelta(days=3),
                                       "sales_start_on": start - timedelta(days=240),
                                       "sales_end_on": start - timedelta(days=14)}, planner)
        for name, venue, start in EXHIBITIONS
    ]
    db.commit()
    from expo.core.scenarios.store import default_scenario

    targets = _targets(default_scenario())
    rng.shuffle(targets)
    opened = 0
    taken_inns: set[str] = set()
    for n in range(size["clients"]):
        manager = rng.choice(managers)
        inn = _inn(rng)
        while inn in taken_inns:
            inn = _inn(rng)
        taken_inns.add(inn)
        client = clients.create_client({
            "name": f"{rng.choice(FORMS)} «{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}-{n + 1}»",
            "tax_id": inn, "region": rng.choice(REGIONS), "industry": rng.choice(INDUSTRIES),
            "channel": rng.choice(CHANNELS), "category": rng.choice(["active", "potential", "potential", "lost"]),
            "email": f"info{n + 1}@client{n + 1}.ru", "phone": f"+7 495 {rng.randrange(100, 999)}-{n % 100:02d}-{rng.randrange(10, 99)}",
            "manager_id": manager.id,
        }, planner)
        for _ in range(rng.randint(1, 3)):
            clients.add_contact(client, {
                "name": person_name(rng), "position": rng.choice(POSITIONS),
                "email": f"person{rng.randrange(10**6)}@client{n + 1}.ru",
                "birthday": date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28)),
            }, planner)
        for show in rng.sample(shows, rng.randint(0, 3)):
            amount = Decimal(rng.randrange(150, 3000) * 1000)
            engagement = engagements.open_engagement({
                "client_id": client.id, "exhibition_id": show.id, "expected_amount": amount,
            }, planner)
            opened += 1
            # opened some months ago on a working day; its activities come after that
            days_open = rng.randint(20, 220)
            engagement.opened_at = business_time(rng, clock.today() - timedelta(days=days_open))
            if targets:  # the first ones cover every step and result, the rest walk at random
                for outcome in targets.pop():
                    _choose(engagement, outcome, manager)
            else:
                _walk(rng, engagement, manager)
            if engagement.state == "won":
                engagements.update_engagement(engagement, {
                    "contract_amount": (amount * Decimal(rng.randint(70, 110)) / 100).quantize(Decimal("1.00"))
                }, planner)
            for days_ago in sorted(rng.sample(range(1, days_open), min(days_open - 1, rng.randint(1, 4))),
                                   reverse=True):
                activity = activities.log_activity(client, {
                    "kind": rng.choice(["call", "email", "meeting", "note"]), "text": rng.choice(NOTES),
                    "engagement_id": engagement.id,
                }, manager)
                activity.occurred_at = business_time(rng, clock.today() - timedelta(days=days_ago))
        _past_sales(rng, client.id)
        if n % 200 == 199:
            db.commit()
    db.commit()
    _manager_day(rng, managers[0], planner)
    db.commit()
    count = db.session().scalar(select(func.count(Activity.id)))
    bought = db.session().scalar(select(func.count(Sale.id)))
    return (f"{len(STAFF) + len(managers)} users, {size['clients']} clients, {len(shows)} exhibitions, "
            f"{opened} engagements, {count} activities, {bought} past sales")
