"""Pages issue a bounded number of SQL statements, whatever the amount of data."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from expo.core import db
from expo.core.models import PickListItem, User
from expo.core.services import activities, clients
from expo.testing import PageClient, count_queries, new_client, new_engagement, new_exhibition


def _fill(app, n_clients):
    with app.app_context():
        planner = db.session().scalar(select(User).where(User.role == "planner"))
        managers = db.session().scalars(select(User).where(User.role == "manager")).all()
        # more clients, and more engagements, contacts and activities per client
        shows = [new_exhibition(planner, name=f"Show {n_clients}-{i}") for i in range(n_clients // 2)]
        first = None
        for i in range(n_clients):
            client = new_client(planner, name=f"Клиент {i}", manager_id=managers[i % len(managers)].id)
            first = first or client
            for k in range(n_clients // 2):
                clients.add_contact(client, {"name": f"Контакт {i}-{k}"}, planner)
            for show in shows:
                engagement = new_engagement(planner, client, show)
                activities.log_activity(client, {"kind": "call", "text": "x", "engagement_id": engagement.id}, planner)
            db.commit()
        return first.id, shows[0].id


@pytest.mark.parametrize("url", ["/", "/clients/", "/clients/{client}", "/exhibitions/", "/exhibitions/{show}", "/exhibitions/{show}/engagements", "/tasks",
                                 "/engagements/1"])
def test_page_queries_do_not_grow_with_the_data(make_app, make_user, url):
    counts = []
    for size in (2, 12):
        app = make_app()
        if not counts:
            make_user("planner", email="p@firm.ru")
            for _ in range(4):
                make_user("manager")
        client_id, show_id = _fill(app, size)
        page = PageClient(app)
        page.login("p@firm.ru")
        target = url.format(client=client_id, show=show_id)
        with count_queries(app) as statements:
            assert page.get(target).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements with less data, {counts[1]} with more"
    assert counts[1] <= 12


@pytest.mark.parametrize("url", ["/admin/users", "/admin/users/{user}", "/admin/audit", "/admin/pick-lists"])
def test_admin_pages_do_not_grow_with_the_data(make_app, make_user, url):
    from expo.core.models import SYSTEM
    from expo.core.services import users

    counts = []
    for size in (2, 12):
        app = make_app()
        if not counts:
            make_user("admin", email="a@firm.ru")
        with app.app_context():
            for i in range(size):  # people with rights and tokens, and audit events naming all kinds of objects
                person = users.create_user({"email": f"u{size}-{i}@firm.ru", "name": f"U {i}", "role": "manager",
                                            "password": "secret1"}, SYSTEM)
                users.grant(person, "clients.export", SYSTEM)
                users.issue_token(person, SYSTEM)
            planner = db.session().scalar(select(User).where(User.email == "a@firm.ru"))
            new_client(planner, name=f"К {size}")
            for i in range(size):  # pick-list values, for the pick-lists page
                db.session().add(PickListItem(field=("region", "industry", "channel")[i % 3], value=f"V {size}-{i}", position=i))
            db.commit()
            target = db.session().scalar(select(User.id).where(User.role == "manager"))
        page = PageClient(app)
        page.login("a@firm.ru")
        with count_queries(app) as statements:
            assert page.get(url.format(user=target)).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements with less data, {counts[1]} with more"
    assert counts[1] <= 12


@pytest.mark.parametrize("sort", ["name", "-region", "industry"])
def test_a_page_reached_by_cursor_does_not_grow_with_the_data(make_app, make_user, sort):
    """The client list's "next" page: the count and one page statement, however many clients come
    before it. (A page that reaches the end of the values reads the blanks too, one more statement:
    every client has a region and an industry here, and the second page is never the last.)"""
    import html
    import re

    from sqlalchemy import update

    from expo.core.models import Client

    counts = []
    for size in (6, 12):
        app = make_app()
        if not counts:
            make_user("planner", email="p@firm.ru")
            make_user("manager")
        _fill(app, size)
        with app.app_context():
            db.session().execute(update(Client).values(region="Казань", industry="IT"))
            db.commit()
        page = PageClient(app)
        page.login("p@firm.ru")
        first = page.get(f"/clients/?sort={sort}&limit=2").get_data(as_text=True)
        after = html.unescape(re.search(r'<a href="([^"]+)"[^>]* rel="next"', first).group(1))
        assert "cursor=" in after
        with count_queries(app) as statements:
            assert page.get(after).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{sort}: {counts[0]} statements with less data, {counts[1]} with more"
