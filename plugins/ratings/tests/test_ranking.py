"""Ranking in SQL: the "Rating" column sorts the client list, an exhibition's engagements (their
default order, list and board) and My tasks; the pages' statement counts do not grow with the data."""
from __future__ import annotations

import re
from importlib.metadata import entry_points

import pytest
from sqlalchemy import select

from expo.hooks import SYSTEM, commit, db_session, models
from expo.testing import PageClient, count_queries, new_client, new_engagement, new_exhibition, new_scenario, walk
from expo_ratings import services


def _names(html: str, names: list[str]) -> list[str]:
    """``names`` in the order they appear on the page."""
    return sorted(names, key=lambda name: html.index(name))


@pytest.fixture
def ranked(app, firm, kit):
    """Three clients: «Ромашка» personal +5, «Василёк» won (+10), «Чужой» personal −2 but weighed
    +30 in the exhibition. Outside the exhibition: Василёк 10, Ромашка 5, Чужой −2; in it: Чужой 28."""
    with app.app_context():
        planner = kit.user(firm.planner.id)
        services.set_personal(firm.mine, {"value": 5}, planner)
        services.set_personal(firm.foreign, {"value": -2}, planner)
        services.set_exhibition(kit.engagement_of(firm.foreign_engagement.id), {"value": 30}, planner)
        commit()
        walk(kit.engagement_of(firm.second_engagement.id), planner, "signed")
    return firm


def test_the_client_list_sorts_by_the_total_without_exhibition(ranked, login_as):
    page = login_as(ranked.planner)
    html = page.get("/clients/?sort=-rating").get_data(as_text=True)
    assert _names(html, ["Ромашка", "Василёк", "Чужой"]) == ["Василёк", "Ромашка", "Чужой"]
    assert re.search(r"Василёк.*?<td[^>]*>10</td>", html, re.S)
    ascending = page.get("/clients/?sort=rating").get_data(as_text=True)
    assert _names(ascending, ["Ромашка", "Василёк", "Чужой"]) == ["Чужой", "Ромашка", "Василёк"]
    default = page.get("/clients/").get_data(as_text=True)
    # the client list keeps its order by name, the legal forms aside (АО «Василёк», ООО «Ромашка», ЗАО «Чужой»)
    assert _names(default, ["Ромашка", "Василёк", "Чужой"]) == ["Василёк", "Ромашка", "Чужой"]


def test_an_exhibitions_engagements_are_ranked_by_the_total_there_by_default(ranked, login_as):
    page = login_as(ranked.planner)
    url = f"/exhibitions/{ranked.show.id}/engagements"
    html = page.get(url).get_data(as_text=True)
    assert _names(html, ["Ромашка", "Василёк", "Чужой"]) == ["Чужой", "Василёк", "Ромашка"]  # 28, 10, 5
    assert re.search(r"<td[^>]*>28</td>", html)
    board = page.get(f"/exhibitions/{ranked.show.id}").get_data(as_text=True)
    assert _names(board, ["Ромашка", "Чужой"]) == ["Чужой", "Ромашка"]  # the open column, best first
    oldest_first = page.get(url + "?sort=opened_at").get_data(as_text=True)
    assert _names(oldest_first, ["Ромашка", "Василёк", "Чужой"]) == ["Ромашка", "Василёк", "Чужой"]


def test_my_tasks_can_be_worked_most_valuable_client_first(app, ranked, kit, login_as):
    with app.app_context():  # tasks need a step with an action: a second scenario, a second exhibition
        planner = kit.user(ranked.planner.id)
        scenario = dict(kit.SCENARIO, name="With a call")
        scenario["steps"] = [dict(scenario["steps"][0], actions=[{"title": "Call", "deadline_days": 1}])]
        with_call = new_scenario(planner, scenario)
        show = new_exhibition(planner, name="Мебель")
        for client in (ranked.mine, ranked.second, ranked.foreign):
            new_engagement(planner, client, show, manager_id=ranked.planner.id, scenario_id=with_call.id)
    page = login_as(ranked.planner)
    html = page.get("/tasks?sort=-rating").get_data(as_text=True)
    assert html.count("<strong>Call</strong>") == 3
    assert _names(html, ["Ромашка", "Василёк", "Чужой"]) == ["Василёк", "Ромашка", "Чужой"]  # 10, 5, −2


def _statements(app, url: str) -> int:
    page = PageClient(app)
    page.login("p@firm.ru")  # (the first request of a process also asks for a pending backfill)
    with count_queries(app) as statements:
        assert page.get(url).status_code == 200
    return len(statements)


@pytest.mark.parametrize("url", ["/clients/?sort=-rating", "/exhibitions/{show}/engagements", "/exhibitions/{show}",
                                 "/tasks?sort=-rating"])
def test_ranked_pages_send_as_many_statements_for_more_data_as_without_ratings(make_app, make_user, kit, url):
    counts = []
    for size in (2, 8):
        app = make_app()
        if not counts:
            make_user("planner", email="p@firm.ru")
        with app.app_context():
            planner = db_session().scalar(select(models.User).where(models.User.email == "p@firm.ru"))
            if not counts:
                new_scenario(planner, dict(kit.SCENARIO, steps=[dict(kit.SCENARIO["steps"][0], actions=[
                    {"title": "Call", "deadline_days": 1}])]))
                kit.set_rules(kit.DEFAULT_RULES)
            show = new_exhibition(planner, name=f"Show {size}")
            for i in range(size):
                client = new_client(planner, name=f"Клиент {size}-{i}", manager_id=planner.id)
                engagement = new_engagement(planner, client, show, manager_id=planner.id)
                services.set_personal(client, {"value": i}, SYSTEM)
                services.set_exhibition(engagement, {"value": -i}, SYSTEM)
                commit()
                if i % 2:
                    walk(engagement, planner, "signed")
        counts.append(_statements(app, url.format(show=show.id)))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements with less data, {counts[1]} with more"
    # The column is part of the list's own statement: the page costs what it costs without ratings.
    others = sorted(ep.name for ep in entry_points(group="expo.plugins") if ep.name != "ratings")
    without = make_app(PLUGINS=",".join(others) or "none")
    assert _statements(without, url.format(show=show.id).split("?")[0]) == counts[1]
