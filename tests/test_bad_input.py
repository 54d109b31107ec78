"""Bad input anywhere gets a clear 4xx and changes nothing (regressions found in review)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Client


@pytest.fixture
def as_planner(api, make_user):
    return api(make_user("planner"))


@pytest.mark.parametrize("url", ["/clients/2147483648", "/clients/99999999999999999999", "/engagements/9999999999",
                                 "/contacts/18446744073709551616"])
def test_huge_ids_in_urls_are_404(as_planner, url):
    response = as_planner.get(url)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("payload", [
    {"name": "X", "manager_id": 2147483648},
    {"name": "X", "manager_id": "99999999999999999999"},
    {"name": "X", "manager_id": "²"},
    {"name": "X", "manager_id": True},
    {"name": "X\u0000"},
    {"name": "X", "notes": "bad \u0007 bell"},
    {"name": "X", "tax_id": "²²²²²²²²²²"},
    {"name": "X", "website": "javascript:alert(1)"},
    {"name": "X", "category": None},
])
def test_bad_values_are_422_on_both_backends(app, as_planner, payload):
    response = as_planner.post("/clients", json=payload)
    assert response.status_code == 422, response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count(Client.id))) == 0


def test_a_long_name_that_grows_when_case_folded_is_stored(as_planner):
    response = as_planner.post("/clients", json={"name": "ß" * 200})
    assert response.status_code == 201
    assert as_planner.get("/clients?q=" + "ss" * 3).json["total"] == 1


def test_blanking_a_required_choice_on_update_is_refused(as_planner):
    client_id = as_planner.post("/clients", json={"name": "Категория"}).json["id"]
    assert as_planner.patch(f"/clients/{client_id}", json={"category": None}).status_code == 422
    assert as_planner.get(f"/clients/{client_id}").json["category"] == "potential"


@pytest.mark.parametrize("query", ["manager_id=²", "manager_id=99999999999", "q=%00", "region=%00", "limit=10000000000000000000000"])
def test_bad_list_queries_are_4xx(as_planner, query):
    assert as_planner.get(f"/clients?{query}").status_code in (400, 422)


def test_search_wildcards_are_literal(as_planner):
    as_planner.post("/clients", json={"name": "Сто процентов"})
    assert as_planner.get("/clients?q=_").json["total"] == 0
    assert as_planner.get("/clients?q=%25").json["total"] == 0


def test_absurdly_nested_json_is_a_400(as_planner):
    body = "[" * 100_000 + "]" * 100_000
    response = as_planner.post("/clients", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400


def test_pages_refuse_nul_and_huge_ids(client, make_user):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    assert client.get("/clients/?q=%00").status_code == 400
    assert client.get("/exhibitions/99999999999").status_code == 404
    assert client.get("/clients/?manager_id=%C2%B2").status_code == 200  # shown as a filter message


@pytest.mark.parametrize("content_type", ["urlencoded", "multipart"])
def test_a_form_with_nul_is_refused_and_changes_nothing(app, client, make_user, content_type):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    extra = {"content_type": "multipart/form-data"} if content_type == "multipart" else {}
    response = client.submit("/clients/new", {"name": "ООО \x00 Ромашка", "category": "potential"}, **extra)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Client)) == 0


def test_the_back_link_after_logging_an_activity_stays_on_site(app, client, make_user):
    from expo.testing import new_client

    planner = make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    with app.app_context():
        target = new_client(db.session().get(type(planner), planner.id))
    response = client.submit(f"/clients/{target.id}/activities", {"kind": "call", "text": "x", "back": "//evil.example"})
    assert response.headers["Location"] == f"/clients/{target.id}"


def test_exported_cells_never_run_as_formulas(app, client, make_user):
    make_user("admin", email="a@firm.ru", grants=["clients.export"])
    client.login("a@firm.ru")
    client.submit("/clients/new", {"name": "=HYPERLINK(\"http://evil\")", "category": "potential"})
    csv_text = client.submit("/clients/export").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text


def test_unknown_locale_setting_stops_start_up_with_a_clear_message(make_app):
    from expo.config import ConfigError

    with pytest.raises(ConfigError, match="EXPO_LOCALE"):
        make_app(LOCALE="de")
