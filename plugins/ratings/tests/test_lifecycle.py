"""Ratings in the life of the firm: deleted clients, other plugins asking for priorities, the
report section, a failing write rolling the close back, and the plugin disabled and re-enabled."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader

from expo.hooks import SYSTEM, client_priority, commit, db_session, models
from expo.testing import (new_client, new_engagement, new_exhibition, new_scenario, purge_deleted_clients, reopen,
                          walk)
from expo_ratings import queries, services


def _rate(app, firm, kit):
    """Ромашка: won (+10), personal +5, +3 in Иннопром; Чужой: lost for quality (−3)."""
    with app.app_context():
        planner = kit.user(firm.planner.id)
        walk(kit.engagement_of(firm.engagement.id), planner, "signed")
        walk(kit.engagement_of(firm.foreign_engagement.id), planner, "quality")
        services.set_personal(firm.mine, {"value": 5}, planner)
        services.set_exhibition(kit.engagement_of(firm.engagement.id), {"value": 3}, planner)
        commit()


def test_deleting_a_client_hides_its_ratings_and_the_purge_removes_them(app, firm, kit, api, make_user):
    _rate(app, firm, kit)
    deleter = make_user("admin", grants=("clients.delete",))
    assert api(deleter).delete(f"/clients/{firm.mine.id}").status_code == 204
    with app.app_context():
        before_purge = kit.snapshot()
        # deleted but restorable: rows kept, no longer anyone's priority nor in the report's top
        assert len(before_purge["clients"]) == 2
        assert client_priority([firm.mine.id, firm.foreign.id]) == {firm.mine.id: 0, firm.foreign.id: -3}
        assert [row["client_id"] for row in queries.top_clients({})] == [firm.foreign.id]
        assert purge_deleted_clients() == 1
        left = kit.snapshot()
        assert left == {"clients": [(firm.foreign.id, 0, -3, -3)],
                        "engagements": [(firm.foreign_engagement.id, -3, 0)], "changes": 1}


@pytest.mark.plugins("funnel,planning")
def test_a_client_deleted_while_ratings_are_disabled_takes_its_rows_along(make_app, firm, kit, api, make_user):
    enabled = make_app(PLUGINS="all")
    _rate(enabled, firm, kit)
    deleter = make_user("admin", grants=("clients.delete",))
    assert api(deleter).delete(f"/clients/{firm.mine.id}").status_code == 204
    with make_app().app_context():  # ratings disabled: no hook at the purge, the foreign keys cascade
        assert purge_deleted_clients() == 1
    with enabled.app_context():
        assert [row[0] for row in kit.snapshot()["clients"]] == [firm.foreign.id]


def test_client_priority_answers_the_total_for_other_plugins(app, firm, kit):
    _rate(app, firm, kit)
    with app.app_context():
        assert client_priority([firm.mine.id, firm.second.id, firm.foreign.id]) == {
            firm.mine.id: 15, firm.second.id: 0, firm.foreign.id: -3}


def test_a_failing_rating_write_rolls_the_closing_back(app, firm, kit, monkeypatch):
    def broken(_condition):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "refresh_clients", broken)
    with app.app_context():
        engagement = kit.engagement_of(firm.engagement.id)
        with pytest.raises(RuntimeError):
            walk(engagement, kit.user(firm.manager.id), "signed")
        db_session().rollback()
        assert kit.engagement_of(firm.engagement.id).state == "open"
        assert kit.snapshot() == {"clients": [], "engagements": [], "changes": 0}


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_report_section_shows_top_clients_the_biggest_moves_and_the_rules(app, firm, kit, api, frozen_clock):
    frozen_clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc))
    _rate(app, firm, kit)
    planner = api(firm.planner)
    assert "ratings-clients" in [s["key"] for s in planner.get("/reports/sections").json["items"]]
    march = planner.post("/reports", json={"sections": ["ratings-clients"], "period": "2026-03"}).json
    text = _pdf_text(planner.get(f"/reports/{march['id']}/pdf").data)
    assert "Top clients by total rating" in text and "Biggest moves in the period" in text
    top = text.split("Top clients by total rating")[1].split("Biggest moves")[0]
    assert top.index("Ромашка") < top.index("Чужой") and "15" in top
    moves = text.split("Biggest moves in the period")[1].split("Rating rules")[0]
    assert "+15" in moves and "-3" in moves  # exhibition ratings move a client only within the exhibition
    assert "price" in text.split("Rating rules")[-1]
    february = planner.post("/reports", json={"sections": ["ratings-clients"], "period": "2026-02"}).json
    assert "No rating changed in the period." in _pdf_text(planner.get(f"/reports/{february['id']}/pdf").data)
    in_show = planner.post("/reports", json={"sections": ["ratings-clients"], "period": "2026-03",
                                             "exhibition_id": firm.show.id}).json
    shown = _pdf_text(planner.get(f"/reports/{in_show['id']}/pdf").data)
    assert "18" in shown.split("Top clients")[1].split("Biggest moves")[0]  # 10 + 3 + 5 in Иннопром
    assert "+18" in shown.split("Biggest moves in the period")[1]


@pytest.mark.plugins("funnel,planning")
def test_without_ratings_the_core_works_its_data_is_untouched_and_shown_again_when_re_enabled(
        make_app, firm, kit, login_as, api):
    enabled = make_app(PLUGINS="all")
    _rate(enabled, firm, kit)
    with enabled.app_context():
        before = kit.snapshot()
    disabled = make_app()  # funnel and planning only
    page = login_as(firm.planner, target=disabled)
    for url in ("/", "/clients/", f"/clients/{firm.mine.id}", f"/engagements/{firm.engagement.id}",
                f"/exhibitions/{firm.show.id}", f"/exhibitions/{firm.show.id}/engagements", "/tasks", "/reports/"):
        response = page.get(url)
        assert response.status_code == 200, url
        assert "/ratings/" not in response.get_data(as_text=True), url  # no panel, no menu entry
    assert ">Rating<" not in page.get("/clients/").get_data(as_text=True)
    for url in ("/ratings/rules", f"/ratings/clients/{firm.mine.id}"):
        assert page.get(url).status_code == 404
    assert api(firm.planner, target=disabled).get(f"/ratings/clients/{firm.mine.id}").status_code == 404
    assert not [p for p in disabled.test_client().get("/api/v1/openapi.json").json["paths"] if "ratings" in p]
    with disabled.app_context():  # the core goes on: reopen a rated engagement, close another, new clients
        planner = kit.user(firm.planner.id)
        reopen(kit.engagement_of(firm.engagement.id), planner)
        walk(kit.engagement_of(firm.second_engagement.id), planner, "signed")
        new_engagement(planner, new_client(planner, name="ООО «Новый»"), new_exhibition(planner, name="Новая"))
        assert kit.snapshot() == before  # ratings' tables untouched

    again = make_app(PLUGINS="all")
    page = login_as(firm.planner, target=again)
    panel = page.get(f"/ratings/engagements/{firm.engagement.id}", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert 'id="ratings-personal">5' in panel and 'id="ratings-exhibition">3' in panel
    assert 'id="ratings-total"><strong>18</strong>' in panel  # as before the plugin was disabled
    # Work done meanwhile is caught up by a recomputation (docs/decisions/0013-ratings.md).
    assert page.submit("/ratings/recompute").status_code == 302
    with again.app_context():
        assert kit.ratings(firm.mine.id)["status"] == 0 and kit.ratings(firm.second.id)["status"] == 10


def test_a_rule_by_result_key_applies_to_that_result_in_every_scenario(app, firm, kit):
    with app.app_context():
        planner = kit.user(firm.planner.id)
        kit.set_rules([{"result": "contract", "points": 7}])
        other = dict(kit.SCENARIO, name="Second lineage")
        scenario = new_scenario(planner, other)
        engagement = new_engagement(planner, firm.mine, new_exhibition(planner, name="Ещё"),
                                    scenario_id=scenario.id)
        walk(engagement, SYSTEM, "signed")
        assert kit.ratings(firm.mine.id)["status"] == 7
        assert db_session().get(models.Engagement, engagement.id).state == "won"
