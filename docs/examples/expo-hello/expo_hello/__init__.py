"""expo-hello: the example plugin of docs/plugin-author-guide.md.

It adds a page at /hello, a "Hello" menu entry, a panel on every client card with a button that
greets the client (logged as an activity through the core's service, committed, then a job tells
the client's manager), a sortable "Contacts" column on the client list, and a log line for every
new client. This module holds only the hook implementations; they delegate to ``views`` and
``jobs``. Like every plugin it imports from Expo only the facade, ``expo.hooks``.
"""
import logging

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from expo.hooks import ListColumn, NavItem, Panel, hookimpl, models

log = logging.getLogger(__name__)


@hookimpl
def register_blueprints(app):
    from expo_hello.views import bp

    return [bp]


@hookimpl
def nav_items(user):
    return [NavItem("hello", _l("Hello"), "hello.index")]


@hookimpl
def client_card_panels(client, user):
    return [Panel("hello", _l("Hello"), url_for("hello.panel", client_id=client.id))]


@hookimpl
def list_columns(list_name, user):
    if list_name != "clients":
        return None
    # A scalar subquery correlated to the list's Client: the list selects and sorts by it in SQL.
    contacts = (select(func.count(models.Contact.id)).where(models.Contact.client_id == models.Client.id)
                .correlate(models.Client).scalar_subquery())
    return [ListColumn("contacts", _l("Contacts"), contacts)]


@hookimpl
def client_created(client, user):
    # Runs inside the service's transaction: raising here would roll the new client back.
    log.info("new client: %s", client.name)
