"""Client base pages: list (search, filters, sort, paging, HTMX), card, forms, contacts, activities."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Activity, Client, Contact, User
from expo.testing import new_client, new_engagement, new_exhibition


def _planner(app):
    return db.session().scalar(select(User).where(User.role == "planner"))


def _names(html):
    return re.findall(r'<a href="/clients/\d+">([^<]+)</a>', html)


def test_search_as_you_type_is_case_insensitive_in_cyrillic(app, client, planner):
    with app.app_context():
        new_client(_planner(app), name="ООО «Северная Звезда»")
        new_client(_planner(app), name="АО «Южный Ветер»")
    full = client.get("/clients/?q=северн")
    assert "HX-Request" in full.headers["Vary"]
    assert _names(full.get_data(as_text=True)) == ["ООО «Северная Звезда»"]
    fragment = client.get("/clients/?q=ЮЖН", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and _names(fragment) == ["АО «Южный Ветер»"]
    # a history restore is answered with the full page
    restored = client.get("/clients/?q=ЮЖН", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)


def test_search_by_tax_id(app, client, planner):
    with app.app_context():
        new_client(_planner(app), name="Тот самый", tax_id="7701234567")
        new_client(_planner(app), name="Другой")
    assert _names(client.get("/clients/?q=770123").get_data(as_text=True)) == ["Тот самый"]


def test_filters_combine(app, client, planner, make_user):
    other = make_user("manager", name="Мария")
    with app.app_context():
        p = _planner(app)
        new_client(p, name="A1", region="Казань", industry="IT", channel="Сайт", category="active", manager_id=other.id)
        new_client(p, name="A2", region="Казань", industry="IT", channel="Выставка", category="active")
        new_client(p, name="A3", region="Москва", industry="IT", channel="Сайт", category="lost")
    html = client.get("/clients/?region=Казань&industry=IT").get_data(as_text=True)
    assert sorted(_names(html)) == ["A1", "A2"]
    assert _names(client.get("/clients/?channel=Сайт&category=active").get_data(as_text=True)) == ["A1"]
    assert _names(client.get(f"/clients/?manager_id={other.id}").get_data(as_text=True)) == ["A1"]
    # drop-downs offer the values that exist
    assert '<option selected>Казань</option>' in html and "<option>Москва</option>" in html


def test_sort_and_pages(app, client, planner):
    with app.app_context():
        for i in range(55):
            new_client(_planner(app), name=f"Клиент {i:02d}")
    first = client.get("/clients/").get_data(as_text=True)
    assert _names(first)[:2] == ["Клиент 00", "Клиент 01"] and len(_names(first)) == 50
    assert "offset=50" in first
    second = _names(client.get("/clients/?offset=50").get_data(as_text=True))
    assert second == [f"Клиент {i}" for i in range(50, 55)]
    assert _names(client.get("/clients/?sort=-name").get_data(as_text=True))[0] == "Клиент 54"


def test_bad_list_parameters_get_a_message_not_an_error(client, planner):
    response = client.get("/clients/?category=nonsense&offset=-4&sort=hack")
    assert response.status_code == 200
    assert "not valid" in response.get_data(as_text=True)


def test_create_shows_every_problem_inline_and_writes_nothing(app, client, planner):
    response = client.submit("/clients/new", {"name": "", "email": "not-mail", "tax_id": "12", "website": "x"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("name", "email", "tax_id", "website"):
        assert f'id="error-{field}"' in html
    long = client.submit("/clients/new", {"name": "x" * 201}, htmx=True)
    assert long.status_code == 422 and "At most 200 characters" in long.get_data(as_text=True)
    assert "<html" not in long.get_data(as_text=True)  # HTMX gets the form fragment back
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id))) == 0


def test_create_and_edit_a_client(app, client, planner, make_user):
    manager = make_user("manager", name="Мария")
    response = client.submit("/clients/new", {"name": "ООО «Новый»", "tax_id": "7707083893", "region": "Тула",
                                              "category": "potential", "manager_id": str(manager.id)})
    assert response.status_code == 302
    card_url = response.headers["Location"]
    card = client.get(card_url).get_data(as_text=True)
    assert "ООО «Новый»" in card and "7707083893" in card and "Мария" in card
    duplicate = client.submit("/clients/new", {"name": "Дубль", "tax_id": "7707083893"})
    assert duplicate.status_code == 422 and "Another client has this tax id" in duplicate.get_data(as_text=True)
    edited = client.submit(f"{card_url}/edit", {"name": "ООО «Обновлённый»", "tax_id": "7707083893",
                                                "category": "active", "manager_id": "", "region": ""})
    assert edited.status_code == 302
    with app.app_context():
        stored = db.session().scalar(select(Client))
        assert (stored.name, stored.category, stored.manager_id, stored.region) == ("ООО «Обновлённый»", "active", None, None)


def test_the_card_shows_contacts_engagements_and_history(app, client, planner):
    with app.app_context():
        p = _planner(app)
        target = new_client(p, name="ООО «Карточка»")
        new_engagement(p, target, new_exhibition(p, name="ПродЭкспо"), expected_amount="1500000")
    added = client.submit(f"/clients/{target.id}/contacts", {"name": "Иван Петров", "position": "Директор",
                                                             "birthday": "1980-05-17"}, htmx=True)
    assert added.status_code == 200 and "Иван Петров" in added.get_data(as_text=True)
    bad = client.submit(f"/clients/{target.id}/contacts", {"name": "", "birthday": "17.05"}, htmx=True)
    assert bad.status_code == 422 and "Not a date" in bad.get_data(as_text=True)
    logged = client.submit(f"/clients/{target.id}/activities", {"kind": "call", "text": "Обсудили стенд"})
    assert logged.status_code == 302
    card = client.get(f"/clients/{target.id}").get_data(as_text=True)
    assert "Иван Петров" in card and "ПродЭкспо" in card and "Обсудили стенд" in card
    assert "1,500,000.00" in card  # English locale in tests: money formatted for it
    with app.app_context():
        assert db.session().scalar(select(func.count(Contact.id))) == 1
        assert db.session().scalar(select(Activity.author_id)) == _planner(app).id


def test_an_empty_activity_is_refused(app, client, planner):
    with app.app_context():
        target = new_client(_planner(app))
    response = client.submit(f"/clients/{target.id}/activities", {"kind": "call", "text": " "}, htmx=True)
    assert response.status_code == 422 and "required" in response.get_data(as_text=True)
    wrong_kind = client.submit(f"/clients/{target.id}/activities", {"kind": "telepathy", "text": "x"})
    assert wrong_kind.status_code == 422
    with app.app_context():
        assert db.session().scalar(select(func.count(Activity.id))) == 0


def test_the_interface_speaks_russian_by_default_and_english_on_request(make_app, make_user):
    from expo.testing import PageClient

    app = make_app(LOCALE="ru")
    make_user("planner", email="p@firm.ru")
    page = PageClient(app)
    page.login("p@firm.ru")
    with app.app_context():
        p = _planner(app)
        new_engagement(p, new_client(p), new_exhibition(p), expected_amount="1500000")
    russian = page.get("/clients/").get_data(as_text=True)
    assert "Клиенты" in russian and "Найдено клиентов" in russian
    page.submit("/locale", {"locale": "en", "next": "/clients/"})
    assert "Clients" in page.get("/clients/").get_data(as_text=True)
    page.submit("/locale", {"locale": "ru", "next": "/"})
    card = page.get("/clients/1").get_data(as_text=True)
    assert "1\xa0500\xa0000,00\xa0₽" in card  # Russian money format


def test_pages_work_without_javascript(client, planner):
    """Every search/filter form is a plain GET form and every action a plain POST form."""
    html = client.get("/clients/").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/clients/"', html)
    assert "<noscript><button" in html
