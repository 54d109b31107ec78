"""Believable Russian firm data: company names, people, tax ids, regions, phones, e-mails.

Everything is drawn from a ``random.Random`` handed in, so a seed makes the same firm. The lists
are weighted the way a Russian B2B client base looks: Moscow first, mostly ООО, a few sole traders.
"""
from __future__ import annotations

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate


@dataclass(frozen=True)
class Region:
    name: str
    tax_code: str  # the first two digits of a tax id (INN) registered there
    phone_code: str


# (region, weight): the share of a typical client base.
REGIONS = [
    (Region("Москва", "77", "495"), 30), (Region("Санкт-Петербург", "78", "812"), 12),
    (Region("Московская область", "50", "496"), 8), (Region("Свердловская область", "66", "343"), 5),
    (Region("Республика Татарстан", "16", "843"), 4), (Region("Новосибирская область", "54", "383"), 4),
    (Region("Краснодарский край", "23", "861"), 4), (Region("Нижегородская область", "52", "831"), 3),
    (Region("Самарская область", "63", "846"), 3), (Region("Ростовская область", "61", "863"), 3),
    (Region("Челябинская область", "74", "351"), 3), (Region("Пермский край", "59", "342"), 2),
    (Region("Республика Башкортостан", "02", "347"), 2), (Region("Воронежская область", "36", "473"), 2),
    (Region("Красноярский край", "24", "391"), 2), (Region("Тюменская область", "72", "3452"), 2),
    (Region("Ленинградская область", "47", "813"), 2), (Region("Приморский край", "25", "423"), 1),
    (Region("Калининградская область", "39", "4012"), 1), (Region("Омская область", "55", "3812"), 1),
]

# industry -> (weight, roots of company names that sound like that industry)
INDUSTRIES = {
    "Строительство": (14, ["Строй", "Монолит", "Бетон", "Кровля", "Фасад", "Домо"]),
    "Машиностроение": (10, ["Маш", "Станко", "Техно", "Привод", "Гидро", "Компрессор"]),
    "Пищевая промышленность": (9, ["Пищепром", "Молоко", "Хлебо", "Мясо", "Кондитер", "Продукт"]),
    "Информационные технологии": (9, ["Софт", "Инфо", "Дата", "Кибер", "Цифра", "Сеть"]),
    "Медицина и фармацевтика": (6, ["Мед", "Фарм", "Био", "Диагност", "Здраво"]),
    "Логистика и транспорт": (8, ["Транс", "Логист", "Авто", "Карго", "Экспедит"]),
    "Энергетика": (6, ["Энерго", "Электро", "Тепло", "Свет", "Кабель"]),
    "Сельское хозяйство": (5, ["Агро", "Зерно", "Фермер", "Сад", "Теплица"]),
    "Химическая промышленность": (4, ["Хим", "Полимер", "Пласт", "Лак", "Реактив"]),
    "Металлургия": (4, ["Металл", "Сталь", "Прокат", "Литьё", "Трубо"]),
    "Оптовая торговля": (9, ["Опт", "Снаб", "Торг", "Склад", "Поставка"]),
    "Мебельное производство": (3, ["Мебель", "Интерьер", "Древо", "Кухни"]),
    "Нефть и газ": (3, ["Нефте", "Газ", "Буровые", "Трубопровод"]),
    "Образование": (2, ["Учебный", "Знание", "Академия", "Лицей"]),
}
SUFFIXES = ["комплект", "сервис", "торг", "снаб", "систем", "монтаж", "ресурс", "профиль", "лайн", "групп",
            "проект", "инжиниринг", "технологии", "стандарт", "альянс", "центр", "пром", "тех", "маркет", "трейд"]
BRANDS = ["Альфа", "Вектор", "Гранит", "Меридиан", "Орион", "Сфера", "Атлант", "Форвард", "Кварц", "Гелиос",
          "Восход", "Сигма", "Каскад", "Эталон", "Прогресс", "Рубикон", "Ориентир", "Магистраль",
          "Континент", "Велес", "Ладога", "Байкал", "Ирбис", "Навигатор", "Созвездие"]
BRAND_TAILS = ["", "", "", "-М", " Плюс", "-Трейд", " Групп", "-Урал", "-Сибирь", "-Юг", "-Север", "-Центр"]
PREFIXES = ["", "", "", "", "", "ТД ", "НПО ", "ПКФ ", "ГК ", "Завод ", "Компания "]
# legal form -> weight; ИП (a sole trader) is named after the person and has a 12-digit tax id.
LEGAL_FORMS = [("ООО", 70), ("АО", 10), ("ПАО", 2), ("ИП", 18)]
CHANNELS = [("Выставка", 30), ("Сайт", 20), ("Рекомендация", 15), ("Холодный звонок", 15), ("Рассылка", 8),
            ("Повторное обращение", 7), ("Партнёр", 5)]
CLIENT_NOTES = ["Работают только по предоплате", "Решения принимает собственник", "Бюджет утверждают в декабре",
                "Просили не звонить до 11:00", "Интересуются стендом под ключ", "Были у нас на стенде в прошлом году",
                "Закупки через тендерную площадку", "Нужен полный пакет документов для бухгалтерии"]

MALE_FIRST = ["Александр", "Алексей", "Андрей", "Антон", "Артём", "Борис", "Вадим", "Виктор", "Владимир",
              "Дмитрий", "Евгений", "Егор", "Иван", "Игорь", "Кирилл", "Константин", "Максим", "Михаил",
              "Никита", "Николай", "Олег", "Павел", "Роман", "Сергей", "Станислав", "Юрий"]
FEMALE_FIRST = ["Алина", "Анастасия", "Анна", "Валентина", "Вера", "Галина", "Дарья", "Екатерина", "Елена",
                "Жанна", "Ирина", "Ксения", "Лариса", "Людмила", "Марина", "Мария", "Наталья", "Оксана",
                "Ольга", "Полина", "Светлана", "Татьяна", "Юлия", "Яна"]
# father's name -> (male patronymic, female patronymic)
PATRONYMICS = [("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"), ("Андреевич", "Андреевна"),
               ("Борисович", "Борисовна"), ("Викторович", "Викторовна"), ("Владимирович", "Владимировна"),
               ("Дмитриевич", "Дмитриевна"), ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"),
               ("Игоревич", "Игоревна"), ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"),
               ("Олегович", "Олеговна"), ("Павлович", "Павловна"), ("Петрович", "Петровна"),
               ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна")]
# (male surname, female surname)
SURNAMES = [(s, s + "а") for s in ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
                                   "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев",
                                   "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов",
                                   "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов",
                                   "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Фролов",
                                   "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов"]]
SURNAMES += [(s + "ий", s + "ая") for s in ["Ковальск", "Вишневск", "Савицк", "Успенск", "Островск"]]
SURNAMES += [(s, s) for s in ["Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравец"]]
POSITIONS = ["Генеральный директор", "Коммерческий директор", "Директор по маркетингу", "Менеджер по закупкам",
             "Руководитель отдела продаж", "Маркетолог", "Главный инженер", "Офис-менеджер",
             "Руководитель направления выставок", "Финансовый директор"]
PREFERENCES = ["Предпочитает звонки после 11:00", "Удобнее общаться по почте", "Болеет за «Зенит»",
               "Пьёт только чай, без сахара", "Увлекается рыбалкой", "Любит подробные презентации",
               "Не любит длинные письма", "Отвечает в мессенджере быстрее, чем по почте"]
PUBLIC_MAIL = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru"]

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", " ": "-", "«": "", "»": "",
})


def translit(text: str) -> str:
    """A Latin spelling for domains and e-mail addresses (``Стройсервис`` → ``stroyservis``)."""
    return text.casefold().translate(_TRANSLIT)


def pick(rng: random.Random, items):
    """``rng.choice``, several times faster: it is called tens of millions of times in a large load."""
    return items[int(rng.random() * len(items))]


class Weighted:
    """Weighted picks with the cumulative weights computed once (``random.choices`` per call is slow)."""

    def __init__(self, pairs):
        self.items = [item for item, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect_right(self.cumulative, rng.random() * self.total)]


REGION_PICK = Weighted(REGIONS)
INDUSTRY_PICK = Weighted([(name, weight) for name, (weight, _roots) in INDUSTRIES.items()])
FORM_PICK = Weighted(LEGAL_FORMS)
CHANNEL_PICK = Weighted(CHANNELS)


@dataclass(frozen=True)
class Person:
    first: str
    patronymic: str
    surname: str
    female: bool

    @property
    def full_name(self) -> str:  # the Russian business order: surname, first name, patronymic
        return f"{self.surname} {self.first} {self.patronymic}"

    @property
    def short_name(self) -> str:  # how a user appears in the app: first name and surname
        return f"{self.first} {self.surname}"


def person(rng: random.Random, female: bool | None = None) -> Person:
    """A person whose first name, patronymic and surname agree in gender."""
    female = rng.random() < 0.5 if female is None else female
    first = pick(rng, FEMALE_FIRST if female else MALE_FIRST)
    patronymic = pick(rng, PATRONYMICS)[female]
    surname = pick(rng, SURNAMES)[female]
    return Person(first, patronymic, surname, female)


def _check_digit(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights)) % 11 % 10)


def inn(region: Region, serial: int, sole_trader: bool) -> str:
    """A tax id with valid check digits: 10 digits for a company, 12 for a sole trader.

    ``serial`` must differ per client (it is the unique part), so tax ids never repeat.
    """
    if sole_trader:
        body = f"{region.tax_code}{serial % 10**8:08d}"
        body += _check_digit(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
        return body + _check_digit(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    body = f"{region.tax_code}{serial % 10**7:07d}"
    return body + _check_digit(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def phone(rng: random.Random, region: Region) -> str:
    number = f"{rng.randrange(10**6, 10**7):07d}" if len(region.phone_code) == 3 else f"{rng.randrange(10**5, 10**6):06d}"
    return f"+7 ({region.phone_code}) {number[:-4]}-{number[-4:-2]}-{number[-2:]}"


def mobile(rng: random.Random) -> str:
    number = f"{rng.randrange(10**6, 10**7):07d}"
    return f"+7 (9{rng.randrange(10, 100)}) {number[:3]}-{number[3:5]}-{number[5:]}"


@dataclass(frozen=True)
class Company:
    name: str
    domain: str | None  # sole traders seldom have a site of their own
    sole_trader: bool
    owner: Person | None  # the sole trader


def company(rng: random.Random, industry: str, number: int) -> Company:
    """A company name such as ``ООО «ТД Стройкомплект»`` or ``ИП Орлова Анна Сергеевна``."""
    form = FORM_PICK.pick(rng)
    if form == "ИП":
        owner = person(rng)
        return Company(f"ИП {owner.full_name}", None, True, owner)
    if rng.random() < 0.7:
        brand = pick(rng, INDUSTRIES[industry][1]) + pick(rng, SUFFIXES)
    else:
        brand = pick(rng, BRANDS) + pick(rng, BRAND_TAILS)
    # the number keeps domains of same-named companies apart, as real ones are (stroyservis-12.ru)
    domain = f"{translit(brand)}{'' if rng.random() < 0.5 else f'-{number % 97}'}.ru"
    return Company(f"{form} «{pick(rng, PREFIXES)}{brand}»", domain, False, None)


def work_email(someone: Person, domain: str | None, rng: random.Random) -> str:
    if domain:
        return f"{translit(someone.first)[0]}.{translit(someone.surname)}@{domain}"
    return f"{translit(someone.first)}.{translit(someone.surname)}{rng.randrange(1, 100)}@{pick(rng, PUBLIC_MAIL)}"


def birthday(rng: random.Random, today: date) -> date:
    """Someone between 25 and 64 years old."""
    return today - timedelta(days=rng.randrange(25 * 365, 65 * 365))
