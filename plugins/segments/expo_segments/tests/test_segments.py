"""Segments on hand-computed data, on SQLite and PostgreSQL: ABC/XYZ and ABCDE, categories on the
client list (column, filter, saved segment, export), reactivation with its task, birthdays, the
report section, the API, and the manager's narrower view."""
from __future__ import annotations

import io
import re
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from expo.hooks import db_session, models, update_engagement
from expo_segments.models import ClientClass
from expo.testing import (new_client, new_contact, new_engagement, new_exhibition, new_scenario, upload, walk,
                          xlsx_bytes)

pytestmark = pytest.mark.plugins("segments")
PERIOD = "period_from=2026-01&period_to=2026-04"


def _sales_file(rows):
    return xlsx_bytes([["ИНН", "Дата", "Сумма", "Маржа"], *rows])


@pytest.fixture
def base(app, api, make_user, frozen_clock):
    """Seven clients; c1 … c5 bought in January–April 2026 (hand-computed classes below)."""
    frozen_clock.set(datetime(2026, 5, 10, 9, tzinfo=timezone.utc))
    planner, manager = make_user("planner"), make_user("manager")
    with app.app_context():
        planner = db_session().get(models.User, planner.id)
        ids = {f"c{i}": new_client(planner, name=f"Клиент {i}", tax_id=f"77090000{i:02d}",
                                   manager_id=manager.id if i == 1 else None).id for i in range(1, 8)}
        scenario = new_scenario(planner)
        # c4: a won engagement of 50 closed in February; c5: an open one worth 70 (its potential)
        frozen_clock.set(datetime(2026, 2, 10, 9, tzinfo=timezone.utc))
        won = new_engagement(planner, db_session().get(models.Client, ids["c4"]), new_exhibition(planner),
                             scenario_id=scenario.id)
        update_engagement(won, {"contract_amount": "50"}, planner)
        walk(won, planner, "interested", "ok", "signed")
        new_engagement(planner, db_session().get(models.Client, ids["c5"]), new_exhibition(planner, name="Другая"),
                       scenario_id=scenario.id, expected_amount="70")
        frozen_clock.set(datetime(2026, 5, 10, 9, tzinfo=timezone.utc))
        new_contact(planner, db_session().get(models.Client, ids["c1"]), name="Именинница", birthday=date(1980, 5, 12))
        new_contact(planner, db_session().get(models.Client, ids["c1"]), name="Не сейчас", birthday=date(1980, 6, 1))
    tax = {key: f"77090000{int(key[1:]):02d}" for key in ids}
    rows = []
    for month, c2 in zip(range(1, 5), (100, 120, 100, 80)):
        day = f"15.{month:02d}.2026"
        rows += [[tax["c1"], day, "100", "10"], [tax["c2"], day, str(c2), "-5" if month == 1 else ""],
                 [tax["c5"], day, "10", ""]]
    rows += [[tax["c3"], "01.03.2026", "200", "100"]]
    rows += [[tax["c6"], f"10.0{m}.2024", "30", ""] for m in (1, 2, 3)]  # bought monthly long ago: lost, overdue
    response = api(planner).post("/imports", data={"file": upload(_sales_file(rows), "sales.xlsx"), "kind": "sales",
                                                   "dry_run": "false"}, content_type="multipart/form-data")
    assert response.status_code == 201 and response.json["counts"]["new"] == len(rows), response.json
    return {"planner": planner, "manager": manager, "ids": ids}


def test_abc_xyz_and_abcde_match_the_hand_computed_classes(base, api):
    body = api(base["planner"]).get(f"/segments/abcxyz?{PERIOD}").json
    cells = {c["abc"] + c["xyz"]: (c["clients"], c["revenue"]) for c in body["cells"] if c["clients"]}
    # revenue 400, 400, 200, 50, 40 of 1090: running 37 %, 73 % (A), 92 % (B), 96 %, 100 % (C);
    # c1 steady (CV 0: X), c2 100/120/100/80 (CV 14 %: Y), c3 one month, c4 one month (Z), c5 steady (X)
    assert cells == {"AX": (1, "400.00"), "AY": (1, "400.00"), "BZ": (1, "200.00"), "CZ": (1, "50.00"),
                     "CX": (1, "40.00")}
    # margins: c3 100 (71 % of 140: A), c1 40 (C), c2 −5 (E); c5 has no margin but an open engagement (D)
    assert body["abcde"] == {"A": 1, "B": 0, "C": 1, "D": 1, "E": 1}
    assert api(base["planner"]).get("/segments/abcxyz?period_from=2026-05&period_to=2026-01").status_code == 422
    # a manager counts only their own clients (c1), classified among everyone's
    mine = api(base["manager"]).get(f"/segments/abcxyz?{PERIOD}").json
    assert {c["abc"] + c["xyz"]: c["clients"] for c in mine["cells"] if c["clients"]} == {"AX": 1}


def test_the_matrix_page_links_each_cell_to_its_clients(base, login_as):
    page = login_as(base["planner"])
    html = page.get(f"/segments/?{PERIOD}").get_data(as_text=True)
    assert 'id="cell-AY"' in html and "abc=A&amp;xyz=Y" in html
    cell = page.get(f"/segments/cell?abc=B&xyz=Z&{PERIOD}").get_data(as_text=True)
    assert "Клиент 3" in cell and "Клиент 1" not in cell
    refused = page.get("/segments/cell?abc=Q&xyz=Z")
    assert refused.status_code == 422 and "A, B, C" in refused.get_data(as_text=True)


def test_categories_on_the_client_list_saved_segments_and_their_export(app, base, login_as, make_user):
    from expo_segments.jobs import recompute_all

    with app.app_context():
        recompute_all()
        db_session().commit()
        found = dict(db_session().execute(select(models.Client.name, ClientClass.category)
                                          .join(ClientClass, ClientClass.client_id == models.Client.id)).all())
    assert found["Клиент 1"] == "active" and found["Клиент 6"] == "lost" and found["Клиент 7"] == "potential"
    page = login_as(base["planner"])
    lost = page.get("/clients/?sales_category=lost").get_data(as_text=True)
    assert "Клиент 6" in lost and "Клиент 1" not in lost and "By sales" in lost
    assert page.get("/clients/?sales_category=gone").status_code == 200  # refused, named on the page
    assert page.submit("/segments/saved", {"name": "Главные", "sales_category": "active", "abc": "A"}).status_code == 302
    assert page.submit("/segments/saved", {"name": ""}).status_code == 422
    segment_id = page.get("/segments/").get_data(as_text=True).split("segment=")[1].split('"')[0]
    listed = page.get(f"/clients/?segment={segment_id}").get_data(as_text=True)
    assert "Клиент 1" in listed and "Клиент 2" in listed and "Клиент 3" not in listed  # A over the last 12 months
    exporter = login_as(make_user("viewer", grants=["clients.export"]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(exporter.submit("/clients/export", {"format": "xlsx", "segment": segment_id}).data),
                          read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-3:] == ("By sales", "ABC", "XYZ") and sorted(r[1] for r in rows[1:]) == ["Клиент 1", "Клиент 2"]


def test_reactivation_lists_the_overdue_with_a_one_click_task(app, base, api, login_as):
    from expo_segments.jobs import recompute_all

    with app.app_context():
        recompute_all()
        db_session().commit()
    body = api(base["planner"]).get("/segments/reactivation").json
    assert [(i["name"], i["interval_days"]) for i in body["items"]] == [("Клиент 6", 30)]  # 31 and 29 days: 30 on average
    page = login_as(base["planner"])
    assert "Клиент 6" in page.get("/segments/reactivation").get_data(as_text=True)
    client_id = base["ids"]["c6"]
    assert page.submit(f"/segments/reactivation/{client_id}/task").status_code == 302
    with app.app_context():
        task = db_session().scalar(select(models.Task).where(models.Task.client_id == client_id))
    assert task.title == "Reactivate: Клиент 6" and task.due_on == date(2026, 5, 12)
    assert login_as(base["manager"]).submit(f"/segments/reactivation/{client_id}/task").status_code == 404


def test_birthdays_widget_and_report_section(app, base, login_as):
    page = login_as(base["planner"])
    assert 'hx-get="/segments/birthdays"' in page.get("/").get_data(as_text=True)
    widget = page.get("/segments/birthdays").get_data(as_text=True)
    assert "Именинница" in widget and "Не сейчас" not in widget
    from expo_segments.jobs import recompute_all
    from expo_segments.report import render

    with app.app_context(), app.test_request_context():
        recompute_all()
        html = str(render("2026-04", {}))
    assert 'id="cell-AX"' in html and "Клиент 6" in html


def test_disabled_plugin_pages_are_gone(make_app, make_user, login_as):
    app = make_app(PLUGINS="none")
    assert login_as(make_user("planner"), app).get("/segments/").status_code == 404


def test_a_saved_segment_narrows_a_report(app, base, api, login_as):
    """A saved segment is a report filter: the core's summary and the segments section keep its clients."""
    from expo_segments.jobs import recompute_all
    from expo_segments.report import render

    with app.app_context():
        recompute_all()
        db_session().commit()
    page = login_as(base["planner"])
    assert page.submit("/segments/saved", {"name": "Потерянные", "sales_category": "lost"}).status_code == 302
    segment_id = page.get("/segments/").get_data(as_text=True).split("segment=")[1].split('"')[0]
    assert f'<option value="{segment_id}">Потерянные</option>' in page.get("/reports/").get_data(as_text=True)
    queued = api(base["planner"]).post("/reports", json={"sections": ["segments-clients"], "period": "2026-04",
                                                         "segment": segment_id})
    assert queued.status_code == 202, queued.json
    with app.app_context(), app.test_request_context():
        narrowed = str(render("2026-04", {"segment": segment_id}))
        everyone = str(render("2026-04", {}))
    def in_matrix(html):
        return sum(int(n) for n in re.findall(r'id="cell-[A-C][X-Z]">\s*(\d+)', html))

    assert "Клиент 6" in narrowed and "Клиент 6" in everyone
    assert in_matrix(everyone) == 5 and in_matrix(narrowed) == 0  # the lost client bought nothing in the window


def test_the_standard_window_reads_the_stored_classes_and_they_agree_with_a_live_computation(app, base, login_as,
                                                                                           monkeypatch):
    from expo_segments import queries
    from expo_segments.jobs import recompute_all

    with app.app_context(), app.test_request_context():
        from expo.hooks import SYSTEM

        standard, thresholds = queries.Period.standard(), queries.Thresholds.from_settings()
        recompute_all()
        db_session().commit()
        assert queries.uses_stored_classes(standard)
        with monkeypatch.context() as live_only:
            live_only.setattr(queries, "uses_stored_classes", lambda period: False)
            live = queries.matrix(SYSTEM, standard, thresholds)
            live_abcde = queries.abcde_counts(SYSTEM, standard, thresholds)
        assert not queries.uses_stored_classes(queries.Period.ending(standard.last, 6))
        assert queries.matrix(SYSTEM, standard, thresholds) == live
        assert queries.abcde_counts(SYSTEM, standard, thresholds) == live_abcde
        assert sum(cell["clients"] for cell in live.values()) == 5
    assert 'id="stored-classes"' in login_as(base["planner"]).get("/segments/").get_data(as_text=True)


def test_a_segment_a_subscription_uses_is_not_deleted_and_a_gone_one_keeps_nobody(app, base, api, login_as):
    page = login_as(base["planner"])
    assert page.submit("/segments/saved", {"name": "Москва", "region": "Москва"}).status_code == 302
    segment_id = page.get("/segments/").get_data(as_text=True).split("segment=")[1].split('"')[0]
    created = api(base["planner"]).post("/reports/subscriptions", json={
        "name": "Москва ежемесячно", "sections": ["summary"], "frequency": "monthly", "day": 1,
        "recipient_user_ids": [base["planner"].id], "segment": segment_id})
    assert created.status_code == 201, created.json
    refused = page.submit(f"/segments/saved/{segment_id}/delete")
    assert refused.status_code == 409 and "Москва ежемесячно" in refused.get_data(as_text=True)
    assert f"segment={segment_id}" in page.get("/segments/").get_data(as_text=True)  # still there
    assert api(base["planner"]).delete(f"/reports/subscriptions/{created.json['id']}").status_code == 204
    assert page.submit(f"/segments/saved/{segment_id}/delete").status_code == 302
    # a report still naming the deleted segment counts nobody, rather than failing or counting everyone
    from expo.hooks import report_client_condition

    with app.app_context(), app.test_request_context():
        nobody = report_client_condition({"segment": segment_id})
        assert db_session().scalar(select(func.count(models.Client.id)).where(nobody)) == 0


def test_blank_periods_mean_the_standard_window(base, api):
    """A period given as spaces is no period (found by schemathesis: it was a 500)."""
    body = api(base["planner"]).get("/segments/abcxyz?period_from=%20&period_to=%20%20").json
    assert (body["period_from"], body["period_to"]) == ("2025-05", "2026-04")


@pytest.mark.parametrize("query", ["segment=", "abc=%20"])
def test_a_blank_filter_of_the_plugin_is_refused_by_the_api(base, api, query):
    """The document lists the filter's choices, and blank is not one of them (schemathesis)."""
    response = api(base["planner"]).get(f"/clients?{query}")
    assert response.status_code == 422 and query.split("=")[0] in response.json["error"]["fields"]
    assert api(base["planner"]).get("/clients?abc=A").status_code == 200
