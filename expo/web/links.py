"""Links without Werkzeug's URL builder on every call.

``url_for`` costs some 4–15 µs a call (blueprint defaults, the rule's converters, the builder's
search): My tasks builds 600 links a page, the client list 50 per page, the layout's menu twenty
on every page.

- ``record_url(endpoint, id)`` builds the endpoint's URL once with a marker id, and afterwards
  puts the id in its place. Only for endpoints whose URL has exactly one argument, an id
  (``<int:…>``).
- Templates' ``url_for`` remembers the URLs that never vary: an endpoint named in full with no
  values (the menu, forms' actions), and a static file. Anything else goes to Flask's.

Both key what they remember by where the app is mounted (``request.script_root``), and assume no
``url_defaults`` callback (Expo registers none; templates' ``url_for`` checks).
"""
from __future__ import annotations

from flask import Flask, has_request_context, request, url_for

MARKER = 2**31 - 1  # the largest id (IdConverter), so it converts like any other
# The most URLs remembered: a few hundred endpoints and static files per place the app is mounted;
# past this (a proxy passing many script roots) they are forgotten, not piled up.
REMEMBERED = 4096


class RecordUrls:
    """The Jinja global ``record_url('clients.card', client.id)`` → ``/clients/17``."""

    def __init__(self, app: Flask):
        self.app = app
        self.patterns: dict[tuple[str, str], tuple[str, str]] = {}

    def __call__(self, endpoint: str, record_id: int) -> str:
        if not has_request_context():
            return url_for(endpoint, **{self._argument(endpoint): record_id})
        key = (endpoint, request.script_root)  # links are built relative to where the app is mounted
        pattern = self.patterns.get(key)
        if pattern is None:
            head, tail = url_for(endpoint, **{self._argument(endpoint): MARKER}).split(str(MARKER))
            if len(self.patterns) >= REMEMBERED:
                self.patterns.clear()
            pattern = self.patterns[key] = (head, tail)
        return f"{pattern[0]}{int(record_id)}{pattern[1]}"

    def _argument(self, endpoint: str) -> str:
        (rule,) = self.app.url_map.iter_rules(endpoint)
        (argument,) = rule.arguments  # one id, or this helper is not for the endpoint
        return argument


class TemplateUrls:
    """The Jinja global ``url_for``: Flask's, with the URLs that never vary remembered."""

    def __init__(self, app: Flask):
        self.app = app
        self.known: dict[tuple[str, str, str | None], str] = {}

    def __call__(self, endpoint: str, **values) -> str:
        if not has_request_context() or endpoint.startswith(".") or any(self.app.url_default_functions.values()):
            return url_for(endpoint, **values)
        if not values:
            key = (request.script_root, endpoint, None)
        elif endpoint == "static" and values.keys() == {"filename"}:
            key = (request.script_root, endpoint, values["filename"])
        else:
            return url_for(endpoint, **values)
        found = self.known.get(key)
        if found is None:
            if len(self.known) >= REMEMBERED:
                self.known.clear()
            found = self.known[key] = url_for(endpoint, **values)
        return found
