"""The funnel's pages and API issue a bounded number of SQL statements, whatever the data size."""
from __future__ import annotations

import pytest

from expo.testing import count_queries, new_client, new_engagement, new_exhibition, new_scenario, walk

pytestmark = pytest.mark.plugins("funnel")
PATHS = (("no",), ("interested", "no"), ("interested", "ok", "signed"), ("interested", "ok", "price"), ("interested",))


def _grow(app, planner_id, managers, n):
    from expo.hooks import db_session, models

    with app.app_context():
        planner = db_session().get(models.User, planner_id)
        scenario = db_session().get(models.Scenario, 1) or new_scenario(planner)
        show = new_exhibition(planner, name=f"Выставка {n}")
        for i in range(n):
            manager = managers[i % len(managers)]
            client = new_client(planner, name=f"Клиент {n}-{i}", manager_id=manager.id, region=f"Регион {i % 3}")
            engagement = new_engagement(planner, client, show, scenario_id=scenario.id, manager_id=manager.id,
                                        expected_amount="100")
            walk(engagement, planner, *PATHS[i % len(PATHS)])


@pytest.mark.parametrize("url", ["/funnel/", "/funnel/?region=Регион%201&period_from=2020-01-01", "/funnel/managers",
                                 "/funnel/engagements?kind=dropped&step=contact", "/funnel/widget",
                                 "/api/v1/funnel", "/api/v1/funnel/managers"])
def test_funnel_queries_do_not_grow_with_the_data(app, make_user, login_as, api, url):
    planner = make_user("planner")
    managers = [make_user("manager") for _ in range(3)]
    caller = api(planner) if url.startswith("/api/") else login_as(planner)
    path = url.removeprefix("/api/v1")
    counts = []
    for size in (3, 15):
        _grow(app, planner.id, managers, size)
        with count_queries(app) as statements:
            assert caller.get(path).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], f"{url}: {counts[0]} statements with less data, {counts[1]} with more"
    assert counts[1] <= 24, url  # login, the drop-downs (7), the selection (3), the numbers and their deleted share (8)
