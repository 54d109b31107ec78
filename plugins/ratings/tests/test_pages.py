"""Pages and panels: the client card's and the engagement page's panel (inline edit for planners and
admins, read-only for the others, 404 for a manager's foreign client), the rule editor, bad input."""
from __future__ import annotations

import pytest

from expo.testing import walk


def _panel(page, url):
    return page.get(url, headers={"HX-Request": "true"})


def test_the_card_loads_the_panel_with_the_three_components_the_total_and_the_history(app, firm, kit, login_as):
    with app.app_context():
        walk(kit.engagement_of(firm.engagement.id), kit.user(firm.manager.id), "signed")
    page = login_as(firm.manager)
    card = page.get(f"/clients/{firm.mine.id}").get_data(as_text=True)
    assert f'hx-get="/ratings/clients/{firm.mine.id}"' in card
    panel = _panel(page, f"/ratings/clients/{firm.mine.id}")
    html = panel.get_data(as_text=True)
    assert panel.status_code == 200 and "HX-Request" in panel.headers["Vary"] and "<html" not in html
    assert 'id="ratings-status">10' in html and 'id="ratings-personal">0' in html and "<strong>10</strong>" in html
    assert "— → 10" in html and "«contract»" in html  # the history: old → new, why
    assert 'name="value"' not in html  # a manager reads, does not edit


@pytest.mark.parametrize("role", ["planner", "admin"])
def test_a_planner_or_admin_sets_the_personal_rating_inline(app, firm, kit, login_as, role):
    page = login_as(getattr(firm, role))
    assert 'name="value"' in _panel(page, f"/ratings/clients/{firm.mine.id}").get_data(as_text=True)
    response = page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": "7"}, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "expo:changed"
    assert 'id="ratings-total"><strong>7</strong>' in response.get_data(as_text=True)
    with app.app_context():
        assert kit.ratings(firm.mine.id)["personal"] == 7
        assert kit.changes(firm.mine.id) == [("personal", 0, 7, "manual", None, getattr(firm, role).id)]
    plain = page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": "-3"})  # without JavaScript
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/clients/{firm.mine.id}")
    with app.app_context():
        assert kit.ratings(firm.mine.id)["total"] == -3


@pytest.mark.parametrize("value, message", [("abc", "Must be a whole number."), ("1.5", "Must be a whole number."),
                                            ("101", "Must be from -100 to 100."), ("-101", "Must be from -100 to 100."),
                                            ("", "This field is required."), ("true", "Must be a whole number.")])
def test_bad_values_are_refused_with_a_message_and_change_nothing(app, firm, kit, login_as, value, message):
    page = login_as(firm.planner)
    response = page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": value}, htmx=True)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    plain = page.submit(f"/ratings/engagements/{firm.engagement.id}/exhibition", {"value": value})
    assert plain.status_code == 422 and message in plain.get_data(as_text=True)  # the error page names it
    with app.app_context():
        assert kit.snapshot() == {"clients": [], "engagements": [], "changes": 0}


def test_the_range_is_a_setting(make_app, firm, kit, login_as):
    narrow = make_app(RATINGS_MIN=-5, RATINGS_MAX=5)
    page = login_as(firm.planner, target=narrow)
    refused = page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": "6"}, htmx=True)
    assert refused.status_code == 422 and "Must be from -5 to 5." in refused.get_data(as_text=True)
    assert page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": "5"}, htmx=True).status_code == 200


def test_who_may_do_what(app, firm, kit, login_as):
    mine, foreign = f"/ratings/clients/{firm.mine.id}", f"/ratings/clients/{firm.foreign.id}"
    engagement = f"/ratings/engagements/{firm.engagement.id}"
    manager, viewer = login_as(firm.manager), login_as(firm.viewer)
    assert manager.get(foreign).status_code == 404  # another manager's client does not exist for them
    assert manager.get(f"/ratings/engagements/{firm.foreign_engagement.id}").status_code == 404
    assert manager.submit(foreign + "/personal", {"value": "1"}).status_code == 404
    assert manager.submit(mine + "/personal", {"value": "1"}).status_code == 403
    assert manager.submit(engagement + "/exhibition", {"value": "1"}).status_code == 403
    assert viewer.get(foreign).status_code == 200 and 'name="value"' not in _panel(viewer, foreign).get_data(
        as_text=True)
    assert viewer.submit(mine + "/personal", {"value": "1"}, htmx=True).status_code == 403
    assert viewer.submit("/ratings/rules", {"kind-0": "won", "points-0": "1"}).status_code == 403
    assert manager.submit("/ratings/recompute").status_code == 403
    planner = login_as(firm.planner)
    assert planner.post(mine + "/personal", data={"value": "1"}).status_code == 400  # no CSRF token
    assert planner.get("/ratings/clients/999999").status_code == 404
    assert app.test_client().get(mine).status_code == 302  # anonymous: to the login page
    with app.app_context():
        assert kit.snapshot() == {"clients": [], "engagements": [], "changes": 0}


def test_the_engagement_panel_edits_the_exhibition_rating(app, firm, kit, login_as):
    page = login_as(firm.planner)
    url = f"/ratings/engagements/{firm.engagement.id}"
    assert f'hx-get="{url}"' in page.get(f"/engagements/{firm.engagement.id}").get_data(as_text=True)
    response = page.submit(url + "/exhibition", {"value": "12"}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="ratings-exhibition">12' in html
    assert 'id="ratings-total"><strong>12</strong>' in html and "Иннопром" in html  # the history names the show
    with app.app_context():
        assert kit.ratings(firm.mine.id) == {"client_id": firm.mine.id, "exhibition_id": None, "status": 0,
                                             "exhibition": 0, "personal": 0, "total": 0}
        assert kit.ratings(firm.mine.id, firm.show.id)["total"] == 12
    read_only = _panel(login_as(firm.manager), url).get_data(as_text=True)
    assert 'id="ratings-exhibition">12' in read_only and 'name="value"' not in read_only
    full = page.get(url).get_data(as_text=True)
    assert "<html" in full and 'id="ratings-exhibition">12' in full


def test_the_client_page_pages_through_the_whole_history(app, firm, kit, login_as):
    page = login_as(firm.planner)
    for value in range(1, 56):
        page.submit(f"/ratings/clients/{firm.mine.id}/personal", {"value": str(value)})
    first = page.get(f"/ratings/clients/{firm.mine.id}").get_data(as_text=True)
    assert first.count("<li><time>") == 50 and "54 → 55" in first and "Older" in first
    second = page.get(f"/ratings/clients/{firm.mine.id}?offset=50").get_data(as_text=True)
    assert second.count("<li><time>") == 5 and "0 → 1" in second and "Newer" in second
    restored = page.get(f"/ratings/clients/{firm.mine.id}", headers={"HX-Request": "true",
                                                                     "HX-History-Restore-Request": "true"})
    assert restored.status_code == 200 and restored.get_data(as_text=True).count("<li><time>") == 50  # the page


def test_the_rule_editor_refuses_bad_rules_naming_each_problem_and_keeps_the_old_ones(app, firm, kit, login_as):
    page = login_as(firm.planner)
    form = {"result-0": "no_such_result", "points-0": "5",
            "result-1": "contract", "kind-1": "won", "points-1": "5",
            "kind-2": "lost", "reason-2": "price", "points-2": "1000",
            "kind-3": "lost", "reason-3": "price", "points-3": "-1",
            "kind-4": "lost", "reason-4": "price", "points-4": "-2",
            "kind-5": "won", "points-5": "ten",
            "kind-6": "draw", "points-6": "1",
            "reason-7": "price", "points-7": "1"}
    response = page.submit("/ratings/rules", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in ("No scenario has the result &#39;no_such_result&#39;.",
                    "Give a result, or a kind with an optional reason — not both.",
                    "Must be from -100 to 100.", "An earlier rule matches the same results.",
                    "Must be a whole number.", "Must be one of: won, lost, declined.",
                    "Give a result, or a kind with an optional reason."):
        assert message in html, message
    assert 'name="points-5" value="ten"' in html  # what was typed is shown again
    with app.app_context():
        assert kit.snapshot()["changes"] == 0
    rules = page.get("/ratings/rules").get_data(as_text=True)
    assert 'name="points-0" value="10"' in rules and 'name="points-3" value="-5"' in rules  # unchanged


def test_the_rules_page_shows_each_results_points_and_is_read_only_for_others(app, firm, login_as):
    html = login_as(firm.manager).get("/ratings/rules").get_data(as_text=True)
    assert "<form method=\"post\" action=\"/ratings/rules\"" not in html and "Recompute now" not in html
    known = html.split('id="known-results"')[1]
    assert "Refused: price" in known and "-1" in known and "Refused: timing" in known
    assert 'href="/ratings/rules"' in login_as(firm.viewer).get("/").get_data(as_text=True)  # in the menu
    planner = login_as(firm.planner)
    assert "Save and recompute" in planner.get("/ratings/rules").get_data(as_text=True)
    assert planner.submit("/ratings/recompute").status_code == 302
