"""The exhibitions list's counts table stays equal to counting the engagements themselves, through
every service that changes them: opening, closing, reopening, reassigning, deleting and restoring
clients (one and by filter), purging; a bulk load rebuilds it."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from expo.core import db
from expo.core.models import SYSTEM, Client, Engagement, EngagementCount, User
from expo.core.queries.exhibitions import engagement_counts
from expo.core.services import deletion, engagements, users
from expo.core.services.engagement_counts import rebuild
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario, purge_deleted_clients, reopen, walk


def _table() -> dict:
    rows = db.session().execute(select(EngagementCount.exhibition_id, EngagementCount.manager_id,
                                       EngagementCount.state, EngagementCount.count))
    return {(e, m, s): c for e, m, s, c in rows if c}


def _counted() -> dict:
    """The same numbers counted from the engagements of live clients, as the list used to."""
    rows = db.session().execute(
        select(Engagement.exhibition_id, Engagement.manager_id, Engagement.state, func.count())
        .join(Client, Client.id == Engagement.client_id).where(Client.deleted_at.is_(None))
        .group_by(Engagement.exhibition_id, Engagement.manager_id, Engagement.state))
    return {(e, m or 0, s): c for e, m, s, c in rows}


def test_the_counts_follow_every_change(app, planner, make_user):
    anna, boris = make_user("manager"), make_user("manager")
    admin = make_user("admin")
    with app.app_context():
        users.grant(db.session().get(User, admin.id), "clients.delete", SYSTEM)
        p = db.session().get(User, planner.id)
        new_scenario(p)
        shows = [new_exhibition(p, name=f"Выставка {i}") for i in range(2)]
        opened = []
        for i in range(8):
            who = (anna, boris)[i % 2]
            client = new_client(p, name=f"Клиент {i}", manager_id=who.id, region="Казань" if i < 4 else "Омск")
            for show in shows[: 1 + i % 2]:
                opened.append(new_engagement(p, client, show))
        assert _table() == _counted() and sum(_table().values()) == len(opened)
        walk(opened[0], p, "interested", "ok", "signed", contract_amount="1000")  # won
        walk(opened[1], p, "no")  # declined or lost at the first step
        walk(opened[2], p, "interested", "no")
        assert _table() == _counted()
        reopen(opened[1], p)
        engagements.assign_engagement(opened[3], anna.id, p)
        engagements.assign_engagement(opened[4], None, p)  # nobody's for a while
        db.commit()
        assert _table() == _counted()
        deletion.delete_client(db.session().get(Client, opened[0].client_id), db.session().get(User, admin.id))
        deletion.delete_clients(select(Client.id).where(Client.region == "Омск"), db.session().get(User, admin.id), {})
        db.commit()
        assert _table() == _counted()
        restored = db.session().scalars(select(Client.id).where(Client.region == "Омск").limit(2)).all()
        assert deletion.restore_clients(restored, db.session().get(User, admin.id)) == 2
        db.commit()
        assert _table() == _counted()
        purge_deleted_clients()
        assert _table() == _counted() and _table()
        # the list's numbers: everyone's for the planner, their own for a manager
        everyone = engagement_counts(db.session().get(User, planner.id))
        hers = engagement_counts(db.session().get(User, anna.id))
        expected = {}
        for (show, manager, state), count in _counted().items():
            expected.setdefault(show, {}).setdefault(state, 0)
            expected[show][state] += count
        assert everyone == expected
        assert sum(sum(states.values()) for states in hers.values()) == sum(
            count for (_show, manager, _state), count in _counted().items() if manager == anna.id)
        # the start page's open engagements come from the same counts
        from expo.core.queries.dashboard import start_counts

        open_of = lambda manager=None: sum(c for (_e, m, state), c in _counted().items()  # noqa: E731
                                           if state == "open" and manager in (None, m))
        assert start_counts(db.session().get(User, planner.id)).open_engagements == open_of()
        assert start_counts(db.session().get(User, anna.id)).open_engagements == open_of(anna.id) > 0
        # a rebuild finds what the services kept
        kept = _table()
        rebuild(db.session().execute)
        assert _table() == kept


def test_the_exhibitions_page_shows_the_kept_counts(app, client, planner, make_user):
    with app.app_context():
        p = db.session().get(User, planner.id)
        new_scenario(p)
        show = new_exhibition(p, name="Иннопром")
        for i in range(3):
            engagement = new_engagement(p, new_client(p, name=f"К {i}"), show)
        walk(engagement, p, "no")
        closed_as = engagement.state
    html = client.get("/exhibitions/").get_data(as_text=True)
    row = html[html.index("Иннопром"):]
    cells = [cell.split("<")[0].strip() for cell in row.split('<td class="num">')[1:5]]
    expected = {"open": "2", "won": "0", "lost": "0", "declined": "0", closed_as: "1"}
    assert cells == [expected[state] for state in ("open", "won", "lost", "declined")]


def test_a_deleted_client_s_engagements_stay_out_until_restored_and_a_second_delete_counts_nothing(
        app, planner, make_user):
    """The services still let a deleted client's engagement be closed or reassigned (a request that
    loaded it a moment before the deletion); the counts must neither go below zero nor count it
    twice when the client comes back, and deleting an already deleted client changes nothing."""
    anna, boris, admin = make_user("manager"), make_user("manager"), make_user("admin")
    with app.app_context():
        users.grant(db.session().get(User, admin.id), "clients.delete", SYSTEM)
        p = db.session().get(User, planner.id)
        new_scenario(p)
        show = new_exhibition(p)
        closed = new_engagement(p, new_client(p, name="Закроют", manager_id=anna.id), show)
        handed = new_engagement(p, new_client(p, name="Передадут", manager_id=anna.id), show)
        new_engagement(p, new_client(p, name="Останется", manager_id=anna.id), show)
        who = db.session().get(User, admin.id)
        for engagement in (closed, handed):
            stale = db.session().get(Client, engagement.client_id)
            deletion.delete_client(stale, who)
            set_committed_value(stale, "deleted_at", None)  # as a request that loaded it before would see it
            deletion.delete_client(stale, who)
            db.commit()
            db.session().expire_all()
        walk(db.session().get(Engagement, closed.id), p, "no")
        engagements.assign_engagement(db.session().get(Engagement, handed.id), boris.id, p)
        db.commit()
        assert _table() == _counted() and all(count >= 0 for count in _table().values())
        deletion.restore_clients([closed.client_id, handed.client_id], who)
        db.commit()
        assert _table() == _counted() and sum(_table().values()) == 3
