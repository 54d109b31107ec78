"""The layout's main menu: rendered once per kind of reader, then remembered.

Every page shows it, and it is the same for everyone with the same role and rights in the same
locale: twenty links, each through ``url_for`` and a translation, some 0.3 ms a page of the fixed
cost per request (docs/performance.md). The key holds everything the menu's template
(``_partials/main_menu.html``) is given — nothing there reads the request or the user otherwise —
so a remembered menu is never another reader's, and nothing needs forgetting: a change of rights,
of locale or of the plugins' items is a new key. Where a ``url_defaults`` callback is registered
(Expo has none) the links may carry anything of the request, and the menu is rendered every time.
"""
from __future__ import annotations

from flask import current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from expo.core.i18n import current_locale
from expo.core.plugins import collect

REMEMBERED = 256  # kinds of reader: locales × roles × rights × plugin menus, a few dozen in a firm


class MainMenu:
    """The Jinja global ``main_menu()``: the ``<nav>`` of the logged-in user."""

    def __init__(self):
        self.rendered: dict[tuple, Markup] = {}

    def __call__(self) -> Markup:
        items = tuple(sorted(collect("nav_items", user=current_user), key=lambda item: item.order))
        given = {"sees_all_clients": current_user.sees_all_clients, "can_assign": current_user.can_assign,
                 "is_admin": current_user.role == "admin", "plugin_items": items}
        if any(current_app.url_default_functions.values()):
            # a url_defaults callback may put anything of the request into the menu's links
            return self._render(given)
        key = (str(current_locale()), request.script_root, given["sees_all_clients"], given["can_assign"],
               given["is_admin"], tuple((item.endpoint, str(item.label)) for item in items))
        found = self.rendered.get(key)
        if found is None:
            if len(self.rendered) >= REMEMBERED:
                self.rendered.clear()
            found = self.rendered[key] = self._render(given)
        return found

    @staticmethod
    def _render(given: dict) -> Markup:
        return Markup(render_template("_partials/main_menu.html", **given))
