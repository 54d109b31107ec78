"""What a client's card shows beside the client: its engagements (with their step and result
titles), its contacts, the newest activities and the exhibitions it could still join.

Plain rows, not objects, from statements built once per kind of reader (one who sees every
engagement, one who sees their own): the card is the page people open most, and building the
statements and loading their rows into objects cost more than the SQL itself
(docs/performance.md, "Fixed cost per request"). The caller has checked that the user may see
the client (``access.get_client``): a deleted client never gets here, so the rows need no test
of their own for it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.engine import Row

from expo.core import access, clock, db
from expo.core.models import Activity, Client, Contact, Engagement, Exhibition, ScenarioResult, ScenarioStep, User

ME = bindparam("me")  # the reading manager's id, in the statements of those who see their own only


@dataclass
class CardDetails:
    engagements: list[Row]  # those the user may see, newest first (``_engagements`` names the columns)
    contacts: list[Row]  # by name
    activities: list[Row]  # the newest ``activity_limit`` the user may see
    exhibitions_on_offer: list[Row]  # id, name: not over yet, and not engaged for already


def card_details(user: User, client: Client, activity_limit: int) -> CardDetails:
    own_only = not user.sees_all_clients
    values = {"client_id": client.id, "me": user.id} if own_only else {"client_id": client.id}
    return CardDetails(
        engagements=db.rows(_engagements(own_only), values),
        contacts=contacts_of(client),
        activities=db.rows(_activities(own_only), {**values, "limit": activity_limit}),
        exhibitions_on_offer=db.rows(_ON_OFFER, {"client_id": client.id, "today": clock.today()}))


def contacts_of(client: Client) -> list[Row]:
    """The client's contacts (the card's section, and the fragment HTMX swaps after a change)."""
    return db.rows(_CONTACTS, {"client_id": client.id})


@cache
def _engagements(own_only: bool) -> Select:
    stmt = (select(Engagement.id, Engagement.state, Engagement.step, Engagement.result,
                   Engagement.expected_amount, Engagement.contract_amount,
                   Exhibition.name.label("exhibition_name"), User.name.label("manager_name"),
                   ScenarioStep.title.label("step_title"), ScenarioResult.title.label("result_title"),
                   ScenarioResult.reason.label("result_reason"))
            .join(Exhibition, Exhibition.id == Engagement.exhibition_id)
            .outerjoin(User, User.id == Engagement.manager_id)
            .outerjoin(ScenarioStep, (ScenarioStep.scenario_id == Engagement.scenario_id)
                       & (ScenarioStep.key == Engagement.step))
            .outerjoin(ScenarioResult, (ScenarioResult.scenario_id == Engagement.scenario_id)
                       & (ScenarioResult.key == Engagement.result))
            .where(Engagement.client_id == bindparam("client_id"))
            .order_by(Engagement.opened_at.desc(), Engagement.id.desc()))
    # as access.scope_engagements: a manager sees their own engagements of the client
    return stmt.where(Engagement.manager_id == ME) if own_only else stmt


@cache
def _activities(own_only: bool) -> Select:
    stmt = activity_lines(Activity.client_id == bindparam("client_id"))
    return stmt.where(access.activity_visible_to(ME)) if own_only else stmt


def activity_lines(condition) -> Select:
    """Activities as the timelines show them (the card's, the engagement page's): the newest first,
    with the author's name, ``:limit`` of them."""
    return (select(Activity.id, Activity.kind, Activity.occurred_at, Activity.text, User.name.label("author_name"))
            .outerjoin(User, User.id == Activity.author_id).where(condition)
            .order_by(Activity.occurred_at.desc(), Activity.id.desc()).limit(bindparam("limit")))


_CONTACTS = (select(Contact.id, Contact.name, Contact.position, Contact.phone, Contact.mobile, Contact.email,
                    Contact.birthday, Contact.preferences)
             .where(Contact.client_id == bindparam("client_id")).order_by(Contact.name, Contact.id))

# Every engagement of the client counts as taken, including ones this user may not see: a second
# engagement for the same exhibition would be refused anyway.
_ON_OFFER = (select(Exhibition.id, Exhibition.name)
             .where(Exhibition.ends_on >= bindparam("today"),
                    Exhibition.id.not_in(select(Engagement.exhibition_id)
                                         .where(Engagement.client_id == bindparam("client_id"))))
             .order_by(Exhibition.starts_on, Exhibition.id))
