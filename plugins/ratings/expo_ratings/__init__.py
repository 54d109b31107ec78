"""The ``ratings`` plugin: status, exhibition and personal ratings; the total ranks the lists.

- *Status rating*: given by the rules when an engagement closes, withdrawn when it is reopened.
- *Exhibition rating*: a planner's weight of the client in one engagement's exhibition.
- *Personal rating*: a planner's mark of a priority client.
- **Total** = Σ the client's status ratings + the exhibition rating of the engagement in view
  (0 outside an exhibition) + the personal rating.

This module holds only the hook implementations; they delegate to ``services`` (writes),
``queries`` (reads), ``views``/``api`` (pages, JSON), ``report``, ``commands`` and ``jobs``.
Tables are prefixed ``ratings_`` with their own migrations (version table
``alembic_version_ratings``). docs/decisions/0013-ratings.md records the choices.
"""
from flask import url_for
from flask_babel import lazy_gettext as _l

from expo.hooks import ListColumn, NavItem, Panel, hookimpl
from expo_ratings import api, commands, queries, report, services, views


@hookimpl
def register_blueprints(app):
    return [views.bp, api.api]


@hookimpl
def register_api_docs():
    return api.api_docs()


@hookimpl
def register_commands(cli):
    cli.add_command(commands.ratings_group)


@hookimpl
def register_report_sections():
    return report.sections()


@hookimpl
def engagement_closed(engagement, result, kind, user):
    services.rate_closed(engagement, result, kind, user)


@hookimpl
def engagement_reopened(engagement, previous_result, user):
    services.withdraw_status(engagement, previous_result, user)


@hookimpl
def client_deleted(client_id):
    services.forget_client(client_id)


@hookimpl
def nav_items(user):
    return [NavItem("ratings", _l("Rating rules"), "ratings.rules", order=80)]


@hookimpl
def client_card_panels(client, user):
    return [Panel("ratings", _l("Rating"), url_for("ratings.client", client_id=client.id))]


@hookimpl
def engagement_panels(engagement, user):
    return [Panel("ratings", _l("Rating"), url_for("ratings.engagement", engagement_id=engagement.id))]


@hookimpl
def list_columns(list_name, user):
    column = queries.rating_column(list_name)
    if column is None:
        return None
    expression, joins = column
    # An exhibition's engagements are worked best-rated first; the client list and My tasks keep
    # their own order (name; due date) and offer the rating as a sort.
    return [ListColumn("rating", _l("Rating"), expression,
                       default_sort="desc" if list_name == "engagements" else None, joins=joins,
                       nullable=False)]  # coalesce(total, 0): an unrated client rates 0


@hookimpl
def client_priority(client_ids):
    return queries.priorities(client_ids)
