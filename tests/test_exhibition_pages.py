"""Exhibition and engagement pages: lists, forms with inline errors, stale-form detection."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from expo.core import db
from expo.core.models import Engagement, Exhibition, User
from expo.core.services import process
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario


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


def test_exhibition_board_groups_visible_engagements_by_step_with_a_manager_filter(app, client, make_user):
    me = make_user("manager", email="m@firm.ru")
    other = make_user("manager")
    make_user("planner", email="p@firm.ru")
    with app.app_context():
        p = _planner(app)
        show = new_exhibition(p)
        scenario = new_scenario(p)
        mine = new_engagement(p, new_client(p, name="Мой клиент", manager_id=me.id), show, scenario_id=scenario.id)
        new_engagement(p, new_client(p, name="Чужой клиент", manager_id=other.id), show)
        for outcome in ("interested", "ok", "signed"):
            process.choose_outcome(db.session().get(Engagement, mine.id), outcome, p)
        db.commit()
    client.login("m@firm.ru")
    html = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert "Мой клиент" in html and "Чужой клиент" not in html
    columns = re.findall(r'<h3>([^<]+?) <small class="muted">(\d+)</small></h3>', html)
    assert ("Commercial offer", "0") in columns and ("won", "1") in columns
    client.login("p@firm.ru")
    everything = client.get(f"/exhibitions/{show.id}").get_data(as_text=True)
    assert "Чужой клиент" in everything
    # the planner's board has two scenarios: the test one and the default the other engagement got
    fragment = client.get(f"/exhibitions/{show.id}?manager_id={other.id}",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Чужой клиент" in fragment and "Мой клиент" not in fragment and "<html" not in fragment
    listing = client.get("/exhibitions/").get_data(as_text=True)
    assert re.search(r"Иннопром 2026.*?<td class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td>", listing, re.S)


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
