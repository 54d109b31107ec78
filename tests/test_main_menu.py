"""The layout's main menu is remembered per kind of reader (expo/web/menu.py): each reader still
gets their own — by role, by the plugins' items for their rights, in their locale."""
from __future__ import annotations

import re

from expo.hooks import NavItem, hookimpl


def menu_of(page) -> str:
    html = page.get("/exhibitions/").get_data(as_text=True)
    return re.search(r'<nav aria-label="[^"]*">.*?</nav>', html, re.S).group(0)


class OnlyForTheRight:
    """A plugin whose page is in the menu of those granted its right."""

    @hookimpl
    def nav_items(self, user):
        return [NavItem("secret", "Secret list", "clients.index", order=1)] if user.can("secret.view") else []


def test_each_reader_gets_the_menu_of_their_role_however_often_they_alternate(app, make_user, login_as):
    admin, planner, manager = (login_as(make_user(role)) for role in ("admin", "planner", "manager"))
    for _ in range(3):
        for page, admin_menu, reports, imports in ((admin, True, True, True), (planner, False, True, True),
                                                    (manager, False, False, False), (admin, True, True, True)):
            menu = menu_of(page)
            assert ("/admin/users" in menu) is admin_menu
            assert ('href="/reports/"' in menu) is reports
            assert ('href="/imports/"' in menu) is imports
            assert 'href="/clients/"' in menu


def test_a_plugins_item_follows_the_readers_rights(make_app, make_user, login_as):
    from expo.core import db
    from expo.core.models import User
    from expo.core.services.users import grant

    app = make_app(plugins=[OnlyForTheRight()], PLUGINS="")
    granted, other = make_user("manager"), make_user("manager")
    with app.app_context():
        grant(db.session().get(User, granted.id), "secret.view", db.session().get(User, granted.id))
        db.commit()
    with_right, without = login_as(granted, app), login_as(other, app)
    for _ in range(2):
        assert "Secret list" in menu_of(with_right)
        assert "Secret list" not in menu_of(without)


def test_the_menu_speaks_the_readers_locale(app, make_user, login_as):
    english, russian = login_as(make_user("planner")), login_as(make_user("planner"))
    assert russian.submit("/locale", {"locale": "ru"}).status_code == 302
    for _ in range(2):
        assert ">Clients<" in menu_of(english) and ">Exhibitions<" in menu_of(english)
        assert ">Клиенты<" in menu_of(russian) and ">Clients<" not in menu_of(russian)


def test_with_url_defaults_the_menu_is_each_readers_own(app, make_user, login_as):
    """A url_defaults callback may put the request's user into every link: nothing is remembered then."""
    from flask_login import current_user

    app.url_defaults(lambda endpoint, values: values.setdefault("for", current_user.id)
                     if endpoint == "clients.index" and current_user.is_authenticated else None)
    first, second = login_as(make_user("planner")), login_as(make_user("planner"))

    def clients_link(page):
        (link,) = re.findall(r'href="(/clients/[^"]*)"', menu_of(page))
        return link

    seen = [clients_link(page) for page in (first, second, first, second)]
    assert seen[0] == seen[2] != seen[1] == seen[3]
    assert all(link.startswith("/clients/?for=") for link in seen)
