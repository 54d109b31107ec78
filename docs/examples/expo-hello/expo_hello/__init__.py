"""expo-hello: the smallest useful Expo plugin.

It adds a page at /hello, a "Hello" entry in the main navigation, a panel on every client
card, and logs each new client. It imports from Expo only the public facade, ``expo.hooks``.
"""
import logging

from flask import Blueprint, url_for
from flask_login import current_user, login_required
from markupsafe import escape

from expo.hooks import NavItem, Panel, get_client, hookimpl

log = logging.getLogger(__name__)

# Named and mounted after the plugin, as every plugin blueprint is.
bp = Blueprint("hello", __name__, url_prefix="/hello")


@bp.get("/")
@login_required
def index():
    return "<h1>Hello from a plugin!</h1><p>This page is served by expo-hello.</p>"


@bp.get("/panel/<int:client_id>")
@login_required
def panel(client_id):
    # An HTML fragment the client card loads with HTMX. get_client answers 404 for a client this
    # user may not see: panel URLs are plain URLs, so every view checks visibility itself.
    client = get_client(current_user, client_id)
    return f"<h3>Hello</h3><p>Hello, {escape(client.name)}.</p>"


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def nav_items(user):
    return [NavItem("hello", "Hello", "hello.index")]


@hookimpl
def client_card_panels(client, user):
    return [Panel("hello", "Hello", url_for("hello.panel", client_id=client.id))]


@hookimpl
def client_created(client, user):
    # Runs inside the service's transaction: raising here would roll the new client back.
    log.info("new client: %s", client.name)
