"""Exhibition and engagement pages: lists, forms with inline errors, stale-form detection."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Engagement, Exhibition, User, utcnow
from expo.core.services import engagements
from expo.testing import DESIGN_EXAMPLE, new_client, new_engagement, new_exhibition, new_scenario, walk


def _planner(app):
    return db.session().scalar(select(User).where(User.role == "planner"))


def test_create_an_exhibition_with_inline_errors(app, client, planner):
    bad = client.submit("/exhibitions/new", {"name": "", "starts_on": "2026-09-15", "ends_on": "2026-09-01"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="error-name"' in html and 'id="error-ends_on"' in html
    ok = client.submit("/exhibitions/new", {"name": "Строительная неделя", "venue": "Крокус Экспо",
                                            "starts_on": "2026-09-15", "ends_on": "2026-09-18"})
    assert ok.status_code == 302
    assert "Строительная неделя" in client.get("/exhibitions/").get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(func.count(Exhibition.id))) == 1


def test_managers_cannot_create_exhibitions(client, make_user):
    make_user("manager", email="m@firm.ru")
    client.login("m@firm.ru")
    assert client.get("/exhibitions/new").status_code == 403


def _board_columns(html):
    """``[(title, count, Σ expected amount)]`` of the board's columns, in order."""
    return re.findall(r'<h2>([^<]+?) <small class="muted">(\d+)</small></h2>\s*'
                      r'<p class="column-sum muted"[^>]*>Σ ([^<]+)</p>', html)


def _board_results(html):
    """The results row as text, tags stripped and spaces squeezed."""
    row = re.search(r'<p class="board-results".*?</p>', html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", row).split())


def test_exhibition_board_groups_visible_engagements_by_step_with_a_manager_filter(app, client, make_user):
    me = make_user("manager", email="m@firm.ru")
    other = make_user("manager")
    make_user("planner", email="p@firm.ru")
    with app.app_context():
        p = _planner(app)
        show = new_exhibition(p)
        scenario = new_scenario(p)
        mine = new_engagement(p, new_client(p, name="Мой клиент", manager_id=me.id), show, scenario_id=scenario.id)
        won = new_engagement(p, new_client(p, name="Мой выигранный", manager_id=me.id), show, scenario_id=scenario.id)
        new_engagement(p, new_client(p, name="Чужой клиент", manager_id=other.id), show)
        walk(db.session().get(Engagement, mine.id), p, "interested", "ok")
        walk(db.session().get(Engagement, won.id), p, "interested", "ok", "signed")
    client.login("m@firm.ru")
    html = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert "Мой клиент" in html and "Чужой клиент" not in html
    # closed engagements are counted in the results row, not shown as cards
    assert "Мой выигранный" not in html
    assert [(title, n) for title, n, _ in _board_columns(html)] == [
        ("Establish contact", "0"), ("Presentation", "0"), ("Commercial offer", "1")]
    assert "Won 1" in _board_results(html) and "Contract signed: 1" in _board_results(html)
    assert f'/exhibitions/{show.id}/engagements?state=won' in html  # the results link to the list
    client.login("p@firm.ru")
    everything = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert "Чужой клиент" in everything
    assert [(title, n) for title, n, _ in _board_columns(everything)] == [
        ("Establish contact", "1"), ("Presentation", "0"), ("Commercial offer", "1")]
    fragment = client.get(f"/exhibitions/{show.id}?manager_id={other.id}",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Чужой клиент" in fragment and "Мой клиент" not in fragment and "<html" not in fragment
    assert f"state=won&amp;manager_id={other.id}" in fragment  # the results links keep the filter
    listing = client.get("/exhibitions/").get_data(as_text=True)
    assert re.search(r"Иннопром 2026.*?<td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">0</td>",
                     listing, re.S)


def _second_version(p, scenario):
    """Save a new version of ``scenario`` (in use, so a new version): «contact» renamed, a new
    step «materials», «presentation» dropped; published, so new engagements get it."""
    from expo.core.scenarios.store import publish, save_scenario, to_definition

    definition = to_definition(scenario)
    contact, presentation, offer = definition["steps"]
    contact["title"] = "First contact"
    contact["outcomes"][0]["next"] = "materials"
    materials = {"key": "materials", "title": "Materials sent", "actions": [],
                 "outcomes": [{"key": "received", "title": "Received", "next": "offer"},
                              {"key": "no", "title": "Refused", "result": "refused"}]}
    definition["steps"] = [contact, materials, offer]
    newer = save_scenario(definition, p, scenario)
    publish(newer, p)  # a new version is a draft: drafts are not offered to new engagements
    db.commit()
    return newer


def test_the_board_after_a_second_scenario_version_has_one_column_per_step(app, client, planner):
    with app.app_context():
        p = _planner(app)
        show = new_exhibition(p)
        first = new_scenario(p)
        at_contact = new_engagement(p, new_client(p, name="Клиент 1"), show, expected_amount="100000")
        at_presentation = new_engagement(p, new_client(p, name="Клиент 2"), show, expected_amount="200000")
        walk(at_presentation, p, "interested")
        won = new_engagement(p, new_client(p, name="Клиент 3"), show, expected_amount="900000")
        walk(won, p, "interested", "ok", "signed")
        engagements.update_engagement(won, {"contract_amount": "1000000"}, p)
        db.commit()
        second = _second_version(p, first)
        assert second.id != first.id and at_contact.scenario_id == first.id
        newer_contact = new_engagement(p, new_client(p, name="Клиент 4"), show, expected_amount="300000")
        at_materials = new_engagement(p, new_client(p, name="Клиент 5"), show, expected_amount="50000")
        walk(at_materials, p, "interested")
        lost = new_engagement(p, new_client(p, name="Клиент 6"), show, expected_amount="70000")
        walk(lost, p, "no")
        assert newer_contact.scenario_id == second.id
    html = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    # one set of columns: the newest version's order and titles, the dropped step where it was
    assert _board_columns(html) == [("First contact", "2", "RUB400,000.00"), ("Presentation", "1", "RUB200,000.00"),
                                    ("Materials sent", "1", "RUB50,000.00"), ("Commercial offer", "0", "RUB0.00")]
    assert "Клиент 1" in html and "Клиент 4" in html and "Клиент 3" not in html
    results = _board_results(html)
    assert "Won 1 · RUB1,000,000.00 (Contract signed: 1)" in results
    assert "Lost 1 (Client refused: 1)" in results and "Declined 0" in results
    # the results link to the list of that kind, which shows them
    listing = client.get(f"/exhibitions/{show.id}/engagements?state=won").get_data(as_text=True)
    assert "Клиент 3" in listing and "Клиент 1" not in listing


def test_each_column_shows_its_newest_cards_first_and_counts_the_rest(app, client, planner, monkeypatch):
    from datetime import timedelta

    from expo.web import exhibitions as pages

    monkeypatch.setattr(pages, "CARDS_PER_COLUMN", 2)
    # no plugin column, so the board's order is the list's default: the newest first
    monkeypatch.setattr(pages, "collect", lambda *args, **kwargs: [])
    with app.app_context():
        p = _planner(app)
        show = new_exhibition(p)
        new_scenario(p)
        for n, days_ago in enumerate((3, 1, 2)):
            engagement = new_engagement(p, new_client(p, name=f"Клиент {n}"), show)
            engagement.opened_at = utcnow() - timedelta(days=days_ago)
        other = new_scenario(p, {**DESIGN_EXAMPLE, "name": "Second lineage"})
        new_engagement(p, new_client(p, name="Клиент другого сценария"), show, scenario_id=other.id)
        db.commit()
    html = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    first_column = html.split("<section")[1]
    assert first_column.index("Клиент 1") < first_column.index("Клиент 2") and "Клиент 0" not in first_column
    assert "and 1 more" in first_column
    # two lineages: a set of columns each, named
    titles = [title for title, *_ in _board_columns(html)]
    assert titles == ["Exhibition sales · Establish contact", "Exhibition sales · Presentation",
                      "Exhibition sales · Commercial offer", "Second lineage · Establish contact",
                      "Second lineage · Presentation", "Second lineage · Commercial offer"]
    assert "Клиент другого сценария" in html.split("<section")[4]


def test_merged_steps_keep_the_newest_order_and_put_dropped_steps_where_they_were():
    from expo.core.queries.board import merge_steps

    newest = [("a", "A2"), ("c", "C"), ("d", "D")]
    older = [("a", "A1"), ("b", "B"), ("c", "C"), ("e", "E")]
    oldest = [("z", "Z"), ("a", "A0")]
    order, titles = merge_steps([newest, older, oldest])
    assert order == ["z", "a", "b", "c", "e", "d"]
    assert titles["a"] == "A2" and titles["z"] == "Z"


def test_the_board_of_an_exhibition_without_engagements_says_so(app, client, planner):
    with app.app_context():
        show = new_exhibition(_planner(app))
    html = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert "No engagements in this exhibition yet." in html and _board_columns(html) == []


def test_open_an_engagement_from_the_card_and_refuse_a_duplicate(app, client, planner):
    with app.app_context():
        p = _planner(app)
        target, show = new_client(p), new_exhibition(p)
    opened = client.submit("/engagements/", {"client_id": target.id, "exhibition_id": show.id,
                                             "expected_amount": "250000"})
    assert opened.status_code == 302
    again = client.submit("/engagements/", {"client_id": target.id, "exhibition_id": show.id})
    assert again.status_code == 409 and "Already engaged" in again.get_data(as_text=True)
    bad = client.submit("/engagements/", {"client_id": target.id, "exhibition_id": "x"})
    assert bad.status_code == 422
    with app.app_context():
        assert db.session().scalar(select(Engagement.expected_amount)) == 250000


def test_a_stale_engagement_form_is_refused(app, client, planner):
    with app.app_context():
        p = _planner(app)
        engagement = new_engagement(p, new_client(p), new_exhibition(p))
    page = client.get(f"/engagements/{engagement.id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    first = client.submit(f"/engagements/{engagement.id}", {"version": version, "expected_amount": "100"})
    assert first.status_code == 302
    stale = client.submit(f"/engagements/{engagement.id}", {"version": version, "expected_amount": "999"})
    assert stale.status_code == 409
    bad = client.submit(f"/engagements/{engagement.id}", {"version": str(int(version) + 1), "expected_amount": "12,345.6.7"})
    assert bad.status_code == 422 and 'id="error-expected_amount"' in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session().scalar(select(Engagement.expected_amount)) == 100
