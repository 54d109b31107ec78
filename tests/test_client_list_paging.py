"""The client list's order and paging: every sort both ways from its index's order, blanks last,
keyset cursors forwards and back, offsets near the start, damaged cursors refused."""
from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from expo.core import db
from expo.core.models import User
from expo.core.names import name_key
from expo.core.queries.clients import ClientListQuery, list_clients
from expo.testing import new_client

REGIONS = ["Казань", "Москва", None, "Омск", None, "Казань"]


@pytest.fixture
def firm(app, planner):
    """23 clients: regions with blanks among them, two pairs of equal names (the id decides)."""
    with app.app_context():
        me = db.session().get(User, planner.id)
        for i in range(23):
            name = "Общий" if i in (4, 9) else ("ООО «Близнец»" if i in (7, 12) else f"Клиент {i:02d}")
            new_client(me, name=name, region=REGIONS[i % len(REGIONS)],
                       industry=None if i % 4 == 0 else f"Отрасль {i % 3}")
    return planner


def _expected(app, sort: str) -> list[int]:
    """The ids in the order the list promises, computed here in Python."""
    from expo.core.models import Client

    key, descending = sort.lstrip("-"), sort.startswith("-")
    rows = db.session().scalars(select(Client)).all()
    if key == "name":
        value = lambda c: (name_key(c.name), c.id)  # noqa: E731
    elif key == "created_at":
        value = lambda c: (c.created_at, c.id)  # noqa: E731
    else:
        value = lambda c: (getattr(c, key), name_key(c.name), c.id)  # noqa: E731
    filled = sorted((c for c in rows if key in ("name", "created_at") or getattr(c, key) is not None),
                    key=value, reverse=descending)
    blank = sorted((c for c in rows if key not in ("name", "created_at") and getattr(c, key) is None),
                   key=lambda c: value(c)[1:], reverse=descending)
    return [c.id for c in filled + blank]


def _read(me, sort, **kwargs):
    args = {"sort": sort, "limit": "5", **{k: str(v) for k, v in kwargs.items()}}
    return list_clients(me, ClientListQuery.from_args(args))


@pytest.mark.parametrize("sort", ["name", "-name", "region", "-region", "industry", "-industry",
                                  "category", "-category", "created_at", "-created_at"])
def test_every_sort_pages_forwards_and_back_through_every_client_once(app, firm, sort):
    with app.app_context():
        me = db.session().get(User, firm.id)
        expected = _expected(app, sort)
        page, seen, pages = _read(me, sort), [], []
        while True:
            ids = [c.id for c, _extra in page.rows]
            assert page.position == len(seen) and page.total == 23
            seen += ids
            pages.append(ids)
            if page.next_cursor is None:
                break
            page = _read(me, sort, cursor=page.next_cursor)
        assert seen == expected
        # and back from the last page by the previous links, page by page
        back = [[c.id for c, _extra in page.rows]]
        while page.previous_cursor:
            page = _read(me, sort, cursor=page.previous_cursor)
            back.insert(0, [c.id for c, _extra in page.rows])
        assert back == pages and page.position == 0


@pytest.mark.parametrize("sort", ["region", "-industry"])
def test_an_offset_lands_in_the_blanks_as_well(app, firm, sort):
    with app.app_context():
        me = db.session().get(User, firm.id)
        expected = _expected(app, sort)
        for offset in (0, 3, 10, 15, 17, 20, 22, 23, 40):
            page = _read(me, sort, offset=offset)
            assert [c.id for c, _extra in page.rows] == expected[offset:offset + 5], offset


def test_the_last_page_link_reads_the_end_backwards(app, firm):
    with app.app_context():
        me = db.session().get(User, firm.id)
        last = _read(me, "-region", cursor=_read(me, "-region").last_cursor)
        assert [c.id for c, _extra in last.rows] == _expected(app, "-region")[-5:]
        assert last.next_cursor is None and last.previous_cursor and last.position == 18


def test_the_page_follows_its_next_links_and_says_where_it_is(app, client, firm):
    html = client.get("/clients/?sort=-region&limit=5").get_data(as_text=True)
    names = []
    for number in range(1, 6):
        assert f'<span aria-current="page" class="current">{number}</span>' in html
        names += re.findall(r'<a href="/clients/\d+">([^<]+)</a>', html)
        found = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="#client-results" hx-push-url="true" rel="next"',
                          html)
        if number == 5:
            assert found is None and "Page 5 of 5" in html or "Страница 5 из 5" in html
            break
        assert "cursor=" in found.group(1)
        html = client.get(html_lib.unescape(found.group(1))).get_data(as_text=True)
    assert len(names) == 23 and len(set(names)) == 21  # two pairs of equal names, each client once


@pytest.mark.parametrize("cursor", ["garbage", "eyJvIjoibmFtZSJ9", "e30", "eyJvIjoibmFtZSIsInMiOjcsInYiOltdLCJiIjowLCJwIjowfQ"])
def test_a_damaged_cursor_is_a_message_and_the_api_says_422(client, api, firm, cursor):
    response = client.get(f"/clients/?cursor={cursor}")
    assert response.status_code == 200 and "cursor" in response.get_data(as_text=True)
    assert api(firm).get(f"/clients?cursor={cursor}").status_code == 422


def test_a_cursor_of_another_order_is_refused(app, client, firm):
    with app.app_context():
        token = _read(db.session().get(User, firm.id), "name").next_cursor
    page = client.get(f"/clients/?sort=region&cursor={token}").get_data(as_text=True)
    assert "cursor" in page and "another order" in page or "другого порядка" in page


def test_a_hand_made_cursor_is_refused_even_when_well_formed(app, client, firm):
    """Tokens are signed: one written by hand (or with another firm's key) is not read."""
    import base64
    import json

    from itsdangerous import URLSafeSerializer

    forged = base64.urlsafe_b64encode(json.dumps({"o": "name", "s": 0, "v": ["а", 10**30], "b": 0, "p": 10**40})
                                      .encode()).decode()
    other_key = URLSafeSerializer("another secret", salt="expo.list-cursor").dumps(
        {"o": "name", "s": 0, "v": ["а", 1], "b": 0, "p": 5})
    for token in (forged, other_key):
        page = client.get(f"/clients/?cursor={token}").get_data(as_text=True)
        assert "This page link is damaged" in page or "Ссылка на страницу повреждена" in page


def test_the_api_pages_by_cursor_too(api, firm, app):
    as_planner = api(firm)
    first = as_planner.get("/clients?sort=-region&limit=10").json
    second = as_planner.get(f"/clients?sort=-region&limit=10&cursor={first['next_cursor']}").json
    third = as_planner.get(f"/clients?sort=-region&limit=10&cursor={second['next_cursor']}").json
    assert (first["offset"], second["offset"], third["offset"]) == (0, 10, 20)
    assert third["next_cursor"] is None
    with app.app_context():
        expected = _expected(app, "-region")
    assert [c["id"] for page in (first, second, third) for c in page["items"]] == expected
