"""The period page, the budget panel and its forms, the candidates and replacements, reports:
what each role sees and may do, bad input refused with nothing changed."""
from __future__ import annotations

from decimal import Decimal as D

from expo.hooks import commit, db_session, models
from expo.testing import count_queries
from expo_planning import services


def plan_september(app, firm, kit):
    with app.app_context():
        planner, ann = kit.user(firm.planner.id), kit.user(firm.ann.id)
        services.set_target("2026-09", {"target": "150"}, planner)
        kit.planned(firm.e["a1"], "60", "2026-08", planner)
        kit.planned(firm.e["a2"], "40", "2026-08", planner)
        kit.won(firm.e["a1"], "75", ann)
        kit.lost(firm.e["a2"], ann)  # August: planned 100, actual 75 — ratio 0.75
        kit.planned(firm.e["a3"], "80", "2026-09", planner)
        kit.planned(firm.e["b1"], "40", "2026-09", planner)
        commit()


def test_the_period_page_shows_plan_fact_trend_plan_and_recommendation(app, firm, kit, login_as):
    plan_september(app, firm, kit)
    page = login_as(firm.planner).get("/planning/periods/2026-09?target=100")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="plan-target">RUB150.00<' in html
    assert 'id="recommended-plan">RUB133.33<' in html  # 100 ÷ 0.75
    assert "it plans RUB125.00, which at this ratio yields RUB93.75, not RUB100.00" in html  # the naive rule
    assert 'id="basis-table"' in html and "<td>2026-08</td>" in html
    # expected = 0 won + 120 refined × 0.75 = 90; gap = 150 − 90 = 60
    assert 'id="plan-expected">RUB90.00<' in html and 'id="plan-gap">RUB60.00<' in html
    assert "<svg" in html  # the trend chart (August's error)
    quarter = login_as(firm.viewer).get("/planning/periods/2026-Q3")
    assert quarter.status_code == 200 and 'id="period-plan"' not in quarter.get_data(as_text=True)


def test_readers_only_and_bad_periods(app, firm, kit, login_as):
    assert login_as(firm.ann).get("/planning/periods/2026-09").status_code == 403
    planner = login_as(firm.planner)
    for bad in ("2026-13", "26-09", "2026-Q5", "abcd"):
        response = planner.get(f"/planning/periods/{bad}")
        assert response.status_code == 422, bad
    assert planner.get("/planning/periods/2026-09?exhibition_id=999999").status_code == 404
    assert planner.get("/planning/periods/2026-09?manager_id=x").status_code == 422
    assert planner.get("/planning/").status_code == 302


def test_the_period_page_issues_the_same_statements_whatever_the_data(app, firm, kit, login_as):
    plan_september(app, firm, kit)
    planner = login_as(firm.planner)
    planner.get("/planning/periods/2026-09")
    with count_queries(app) as few:
        planner.get("/planning/periods/2026-09")
    with app.app_context():
        boss = kit.user(firm.planner.id)
        from expo.testing import new_client, new_engagement

        for i in range(15):
            e = new_engagement(boss, new_client(boss, name=f"Новый {i}"), firm.fair)
            kit.planned(e.id, "10", "2026-09", boss)
    with count_queries(app) as many:
        planner.get("/planning/periods/2026-09")
    assert len(few) == len(many)


def test_the_budget_panel_plans_refines_and_records_actual(app, firm, kit, login_as):
    planner, ann = login_as(firm.planner), login_as(firm.ann)
    url = f"/planning/engagements/{firm.e['a1']}"
    assert planner.submit(f"{url}/planned", {"amount": "1 500,00", "period": "2026-09"}).status_code == 302
    assert ann.submit(f"{url}/planned", {"amount": "9", "period": "2026-09"}).status_code == 403
    refused = ann.submit(f"{url}/refinements", {"amount": "-5"}, htmx=True)
    assert refused.status_code == 422 and 'role="alert"' in refused.get_data(as_text=True)
    saved = ann.submit(f"{url}/refinements", {"amount": "1200", "comment": "скидка"}, htmx=True)
    assert saved.status_code == 200 and saved.headers["HX-Trigger"] == "expo:changed"
    assert "скидка" in saved.get_data(as_text=True)
    assert ann.submit(f"{url}/actual", {"amount": "1000"}).status_code == 422  # not won
    assert login_as(firm.bob).get(f"{url}/budget").status_code == 404  # not bob's engagement
    assert planner.post(f"{url}/planned", data={"amount": "1", "period": "2026-09"}).status_code == 400  # no CSRF
    with app.app_context():
        budget = services.budget_of(firm.e["a1"])
        assert (budget.planned, budget.refined, budget.period) == (D("1500.00"), D("1200.00"), "2026-09")
    panel = ann.get(f"{url}/budget", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="budget-history"' in panel and "<html" not in panel


def test_targets_closing_and_replacements_by_planners(app, firm, kit, login_as):
    plan_september(app, firm, kit)
    planner, viewer = login_as(firm.planner), login_as(firm.viewer)
    assert viewer.submit("/planning/periods/2026-09/target", {"target": "10"}).status_code == 403
    assert planner.submit("/planning/periods/2026-09/target", {"target": "-10"}).status_code == 422
    assert planner.submit("/planning/periods/2026-09/target", {"target": "200"}).status_code == 302
    candidates = planner.get(f"/planning/periods/2026-09/candidates?exhibition_id={firm.show.id}&gap=110")
    html = candidates.get_data(as_text=True)
    assert candidates.status_code == 200 and "spare1" in html and "spare2" in html
    assert planner.get("/planning/periods/2026-09/candidates").status_code == 422
    opened = planner.submit("/planning/periods/2026-09/replacements",
                            {"exhibition_id": firm.show.id, "client_id": [firm.clients["spare1"].id]})
    assert opened.status_code == 302
    with app.app_context():
        engagement = db_session().query(models.Engagement).filter_by(client_id=firm.clients["spare1"].id).one()
        assert services.budget_of(engagement.id).period == "2026-09"
    assert planner.submit("/planning/periods/2026-09/close", {"closed": "1"}).status_code == 302
    refused = planner.submit(f"/planning/engagements/{firm.e['a3']}/refinements", {"amount": "5"})
    assert refused.status_code == 422


def test_report_sections_render(app, firm, kit):
    plan_september(app, firm, kit)
    with app.test_request_context():
        from expo_planning import report

        fact = report.render_plan_fact("2026-08", {})
        assert "Иннопром" in fact and "25.0 %" in fact
        assert "<svg" in report.render_error_trend("2026-09", {})
        gap = report.render_gap("2026-09", {"exhibition_id": firm.show.id})
        assert "spare1" in gap


def test_the_app_works_with_planning_disabled(app, firm, kit, make_app, login_as):
    plan_september(app, firm, kit)
    others = make_app(PLUGINS="ratings,funnel")
    page = login_as(firm.planner, others)
    assert page.get("/planning/periods/2026-09").status_code == 404
    home = page.get("/").get_data(as_text=True)
    assert "/planning/" not in home
    engagement = page.get(f"/engagements/{firm.e['a1']}").get_data(as_text=True)
    assert "planning-budget" not in engagement
    with app.app_context():  # its rows stay as they were
        assert services.budget_of(firm.e["a3"]).planned == D("80.00")


def test_a_report_with_the_planning_sections_is_a_pdf_with_their_numbers(app, firm, kit, api):
    import io

    from pypdf import PdfReader

    plan_september(app, firm, kit)
    planner = api(firm.planner)
    sections = ["planning-plan-fact", "planning-error-trend", "planning-gap"]
    assert set(sections) <= {s["key"] for s in planner.get("/reports/sections").json["items"]}
    queued = planner.post("/reports", json={"sections": sections, "period": "2026-08"})
    assert queued.status_code == 202, queued.json
    pdf = planner.get(f"/reports/{queued.json['id']}/pdf").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Planning: plan vs fact" in text and "Иннопром" in text and "25.0 %" in text
    assert "RUB100.00" in text and "RUB75.00" in text


def test_planning_speaks_russian(app, firm, kit, login_as, make_app):
    plan_september(app, firm, kit)
    html = login_as(firm.planner, make_app(LOCALE="ru")).get("/planning/periods/2026-09?target=100").get_data(as_text=True)
    assert "Планирование" in html and "Ошибка планирования" in html and "Коэффициент реализации" in html


def test_a_deleted_client_leaves_the_trend_and_the_basis_at_once(app, firm, kit, make_user, api):
    plan_september(app, firm, kit)
    with app.app_context():
        assert [(m, f.planned) for m, f in queries_trend("2026-09")] == [("2026-08", D("100.00")),
                                                                          ("2026-09", D("120.00"))]
    remover = make_user("admin", grants=("clients.delete",))
    assert api(remover).delete(f"/clients/{firm.clients['b1'].id}").status_code in (200, 204)
    with app.app_context():  # b1's 40 planned for September is gone before the purge
        assert [(m, f.planned) for m, f in queries_trend("2026-09")] == [("2026-08", D("100.00")),
                                                                          ("2026-09", D("80.00"))]


def queries_trend(last):
    from expo_planning import queries

    return queries.trend(last, queries.Scope(queries.Span(last, last, last))).points


def test_period_forms_take_exact_months_and_closing_flags(app, firm, kit, login_as):
    planner = login_as(firm.planner)
    assert planner.submit("/planning/periods/2026-09/close", {"closed": "2"}).status_code == 422
    assert planner.submit("/planning/periods/%202026-09/close", {"closed": "1"}).status_code == 422
    assert planner.submit("/planning/periods/2026-Q3/target", {"target": "5"}).status_code == 422
    assert planner.get("/planning/periods/2026-09%0A").status_code == 422
    assert planner.submit("/planning/periods/2026-09/close", {"closed": "1"}).status_code == 302
    assert planner.submit("/planning/periods/2026-09/target", {"target": "5"}).status_code == 422  # closed
    with app.app_context():
        assert services.is_closed("2026-09") and not services.is_closed("2026-10")
