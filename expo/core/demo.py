"""Demo data: a believable firm selling exhibition participation, in Russian.

The small firm goes through the core services, so plugins see the same events as with real work.
The large one is bulk-loaded (:mod:`expo.core.bulk`, the benchmarks' generator): seconds instead of
minutes, no hooks fired. Seeded randomness: the same command makes the same firm.
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.bulk import FirmSize, load_firm
from expo.core.models import SYSTEM, Activity, Sale, User, utcnow
from expo.core.services import activities, clients, engagements, exhibitions, process, users

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
FIRST = ["Алексей", "Ирина", "Сергей", "Марина", "Николай", "Юлия", "Владимир", "Екатерина", "Михаил", "Анна"]
LAST = ["Орлов", "Белова", "Зайцев", "Лебедева", "Козлов", "Новикова", "Егоров", "Павлова", "Степанов", "Громова"]
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


def _walk(rng: random.Random, engagement, manager) -> None:
    """Move an engagement along its scenario: forward a few steps, then often to a result."""
    for _ in range(rng.randint(0, len(engagement.scenario.steps))):
        step = engagement.scenario.step(engagement.step)
        forward = [o for o in step.outcomes if o.next_step]
        if not forward or rng.random() < 0.25:
            break
        process.choose_outcome(engagement, forward[0].key, manager)
    if rng.random() < 0.6:
        step = engagement.scenario.step(engagement.step)
        ends = [o for o in step.outcomes if o.result]
        # the first result outcome is weighted up (at the offer step: the signed contract)
        process.choose_outcome(engagement, rng.choice(ends + [ends[0]] * 2).key, manager)


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
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "position": rng.choice(POSITIONS),
                "email": f"person{rng.randrange(10**6)}@client{n + 1}.ru",
                "birthday": date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28)),
            }, planner)
        for show in rng.sample(shows, rng.randint(0, 3)):
            amount = Decimal(rng.randrange(150, 3000) * 1000)
            engagement = engagements.open_engagement({
                "client_id": client.id, "exhibition_id": show.id, "expected_amount": amount,
            }, planner)
            opened += 1
            _walk(rng, engagement, manager)
            if engagement.state == "won":
                engagements.update_engagement(engagement, {
                    "contract_amount": (amount * Decimal(rng.randint(70, 110)) / 100).quantize(Decimal("1.00"))
                }, planner)
            for days_ago in sorted(rng.sample(range(1, 200), rng.randint(1, 4)), reverse=True):
                activity = activities.log_activity(client, {
                    "kind": rng.choice(["call", "email", "meeting", "note"]), "text": rng.choice(NOTES),
                    "engagement_id": engagement.id,
                }, manager)
                activity.occurred_at = utcnow() - timedelta(days=days_ago)
        _past_sales(rng, client.id)
        if n % 200 == 199:
            db.commit()
    db.commit()
    count = db.session().scalar(select(func.count(Activity.id)))
    bought = db.session().scalar(select(func.count(Sale.id)))
    return (f"{len(STAFF) + len(managers)} users, {size['clients']} clients, {len(shows)} exhibitions, "
            f"{opened} engagements, {count} activities, {bought} past sales")
