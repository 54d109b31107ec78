"""Loose inputs, odd characters and odd routes get a clear 4xx (issue 8, items 5, 8 and 9)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Client
from expo.testing import new_client


@pytest.fixture
def as_planner(api, make_user):
    return api(make_user("planner"))


def _clients(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count(Client.id)))


# --- item 5: lone UTF-16 surrogates ------------------------------------------------------------

@pytest.mark.parametrize("body", ['{"name": "\\ud800"}', '{"name": "ok", "notes": "a\\udfffb"}',
                                  '{"name": "ok", "\\ud800": 1}'])
def test_lone_surrogates_are_a_422_not_a_500(app, as_planner, body):
    response = as_planner.post("/clients", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.json["error"]["fields"]
    assert _clients(app) == 0


def test_lone_surrogates_in_nested_bodies_are_refused(as_planner):
    body = '{"name": "S", "steps": [{"key": "a", "title": "\\ud83d"}], "results": []}'
    response = as_planner.post("/scenarios", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "steps" in response.json["error"]["fields"]


@pytest.mark.parametrize("name", ["ООО \x85Ромашка", "ООО\x9bРомашка", "\x80"])
def test_c1_control_characters_are_refused_like_the_others(app, as_planner, name):
    response = as_planner.post("/clients", json={"name": name})
    assert response.status_code == 422 and "control" in response.json["error"]["fields"]["name"]
    assert _clients(app) == 0


# --- item 8: ids past 32 bits, and 405s ---------------------------------------------------------

@pytest.mark.parametrize("method, url", [
    ("patch", "/clients/2147483648"), ("delete", "/clients/2147483648"), ("patch", "/contacts/99999999999"),
    ("post", "/clients/2147483648/contacts"), ("post", "/engagements/2147483648/outcome"),
    ("delete", "/reports/subscriptions/2147483648"), ("post", "/reports/subscriptions/2147483648/send"),
])
def test_ids_past_32_bits_are_404_for_every_method(as_planner, method, url):
    response = getattr(as_planner, method)(url, json={})
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_an_id_is_written_one_way_only(api, make_user, app):
    """ASCII digits without leading zeros: "１" (full-width), "١" (Arabic-Indic) and "01" name nothing."""
    planner = make_user("planner")
    as_planner = api(planner)
    with app.app_context():
        made = new_client(planner)
    assert as_planner.get(f"/clients/{made.id}").status_code == 200
    for written in (f"0{made.id}", "%EF%BC%91", "%D9%A1"):
        assert as_planner.get(f"/clients/{written}").status_code == 404, written


def test_pages_with_huge_ids_are_404_for_posts_too(client, make_user):
    make_user("planner", email="p@firm.ru")
    client.login("p@firm.ru")
    assert client.submit("/clients/2147483648/delete").status_code == 404
    assert client.submit("/engagements/2147483648").status_code == 404


@pytest.mark.parametrize("method, url, allowed", [
    ("put", "/clients", {"GET", "POST"}), ("post", "/clients/1", {"GET", "PATCH", "DELETE"}),
    ("delete", "/openapi.json", {"GET"}),
])
def test_every_405_says_which_methods_are_allowed(as_planner, method, url, allowed):
    response = as_planner._call(method, url)
    assert response.status_code == 405 and response.json["error"]["code"] == "method_not_allowed"
    assert allowed <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_a_page_405_says_it_too(client):
    response = client.http.put("/login")
    assert response.status_code == 405 and {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))


# --- item 9: loose inputs -----------------------------------------------------------------------

@pytest.mark.parametrize("website", ["javascript:alert(1)", "vbscript:msgbox.x", "ftp://files.example.ru",
                                     "data:text/html,x.y", "http://user:pw@example.ru", "http://exa mple.ru",
                                     "https://", "http://localhost:99999", "//example.ru", "example"])
def test_websites_are_http_or_https_only(app, as_planner, website):
    response = as_planner.post("/clients", json={"name": "W", "website": website})
    assert response.status_code == 422 and "website" in response.json["error"]["fields"], website
    assert _clients(app) == 0


@pytest.mark.parametrize("website, stored", [("example.ru", "https://example.ru"),
                                             ("http://example.ru/path?x=1", "http://example.ru/path?x=1"),
                                             ("https://кц.рф", "https://кц.рф")])
def test_ordinary_websites_are_kept(as_planner, website, stored):
    response = as_planner.post("/clients", json={"name": "W", "website": website})
    assert response.status_code == 201 and response.json["website"] == stored


@pytest.mark.parametrize("day", ["20260706", "2026-W28-1", "2026-07-06T00:00", "1899-12-31", "2101-01-01",
                                 "٢٠٢٦-٠٧-٠٦", "2026-02-30", " 2026-7-6"])
def test_dates_are_iso_days_within_a_sane_range(as_planner, day):
    response = as_planner.post("/exhibitions", json={"name": "X", "starts_on": day, "ends_on": "2026-07-09"})
    assert response.status_code == 422 and "starts_on" in response.json["error"]["fields"], day


def test_birthdays_and_schedule_starts_follow_the_same_rule(app, as_planner):
    client_id = as_planner.post("/clients", json={"name": "D"}).json["id"]
    assert as_planner.post(f"/clients/{client_id}/contacts", json={"name": "Ия", "birthday": "19800101"}
                           ).status_code == 422
    response = as_planner.post("/reports/subscriptions", json={
        "name": "S", "sections": ["summary"], "frequency": "monthly", "day": 1, "recipient_emails": ["a@b.ru"],
        "starts_on": "2999-W01-1"})
    assert response.status_code == 422 and "starts_on" in response.json["error"]["fields"]


@pytest.fixture
def engagement_id(as_planner):
    client_id = as_planner.post("/clients", json={"name": "M"}).json["id"]
    show = as_planner.post("/exhibitions", json={"name": "S", "starts_on": "2026-01-01", "ends_on": "2026-01-02"})
    return as_planner.post("/engagements", json={"client_id": client_id, "exhibition_id": show.json["id"]}).json["id"]


@pytest.mark.parametrize("amount", ["1e5", "1_000", "NaN", "Infinity", "١٢٣", "1.000.000", "1,5,0", "+5", "-5",
                                    "0x10", "5.", "12 34"])
def test_money_is_ascii_digits_with_one_separator(as_planner, engagement_id, amount):
    response = as_planner.patch(f"/engagements/{engagement_id}", json={"expected_amount": amount})
    assert response.status_code == 422, amount


@pytest.mark.parametrize("amount, stored", [("1500", "1500.00"), ("1 500 000,50", "1500000.50"),
                                            ("1\u00a0500.5", "1500.50"), (2500, "2500.00"), ("0.99", "0.99")])
def test_money_as_people_write_it_is_taken(as_planner, engagement_id, amount, stored):
    response = as_planner.patch(f"/engagements/{engagement_id}", json={"expected_amount": amount})
    assert response.status_code == 200 and response.json["expected_amount"] == stored


@pytest.mark.parametrize("query", ["limit=%D9%A3", "limit=1_0", "limit=%2B5", "offset=%EF%BC%91", "limit=5.0"])
def test_integers_in_queries_are_ascii_digits(as_planner, query):
    response = as_planner.get(f"/clients?{query}")
    assert response.status_code == 422


def test_report_periods_are_ascii_digits(as_planner):
    response = as_planner.post("/reports", json={"sections": ["summary"], "period": "٢٠٢٦-11"})
    assert response.status_code == 422 and "period" in response.json["error"]["fields"]


@pytest.mark.parametrize("query, field", [("limit=&limit=5", "limit"), ("region=A&region=B", "region"),
                                          ("limit=", "limit"), ("offset=%20", "offset"), ("manager_id=", "manager_id")])
def test_api_query_parameters_come_once_and_paging_as_a_number(as_planner, query, field):
    """The API reads one value of each: a repeated or blank one would be silently ignored (schemathesis)."""
    response = as_planner.get(f"/clients?{query}")
    assert response.status_code == 422 and field in response.json["error"]["fields"]
