"""The funnel's pages: chart and tables, filters (plain GET and HTMX), drill-downs, CSV, the
widget, the managers page, bad filters as form messages, report sections, the plugin disabled."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from expo.hooks import db_session, models

pytestmark = pytest.mark.plugins("funnel")


def _bars(html):
    return re.findall(r'<g class="bar" data-step="([a-z_]+)"', html)


def test_the_funnel_page_shows_the_chart_tables_and_links_to_every_number(linear, login_as, make_app):
    page = login_as(linear.planner, make_app(FUNNEL_WEAKEST_MIN_DECIDED=2))
    html = page.get("/funnel/").get_data(as_text=True)
    assert _bars(html) == ["contact", "presentation", "offer"]
    assert 'id="weakest-step"' in html and "Weakest step: Commercial offer" in html
    assert 'id="conversion-count">25.0 %' in html and 'id="conversion-money">25.5 %' in html
    row = re.search(r'<tr id="step-presentation".*?</tr>', html, re.S).group(0)
    link = re.search(r'href="(/funnel/engagements\?[^"]*kind=dropped[^"]*)"', row).group(1).replace("&amp;", "&")
    listed = page.get(link).get_data(as_text=True)
    assert "Клиент pres" in listed and "Клиент price" not in listed and "1 engagements" in listed
    assert re.search(r'href="/engagements/\d+"', listed)


def test_filters_work_as_a_plain_form_and_as_an_htmx_fragment(linear, login_as):
    page = login_as(linear.planner)
    full = page.get(f"/funnel/?exhibition_id={linear.empty_show_id}")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert 'id="funnel-empty"' in full.get_data(as_text=True) and not _bars(full.get_data(as_text=True))
    fragment = page.get(f"/funnel/?region=Казань", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="funnel-filters"' in fragment
    assert re.search(r'<tr id="step-contact"><td>[^<]+</td>\s*<td class="num"><a [^>]+>1</a>', fragment)
    assert re.search(r'<tr id="step-presentation"><td>[^<]+</td>\s*<td class="num">0</td>', fragment)
    assert '<option selected>Казань</option>' in fragment


@pytest.mark.parametrize("query, field", [("period_from=2026-02-30", "period_from"),
                                          ("period_from=2026-05-01&period_to=2026-04-01", "period_to"),
                                          ("exhibition_id=999999", "exhibition_id"),
                                          ("scenario_id=abc", "scenario_id")])
def test_bad_filters_are_named_in_the_form(linear, login_as, query, field):
    response = login_as(linear.planner).get(f"/funnel/?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please correct the highlighted filters." in html
    assert re.search(rf'field invalid"><span>[^<]+</span>\s*<(select|input)[^>]*name="{field}"', html)
    assert not _bars(html)


def test_a_manager_sees_only_their_own_engagements(linear, login_as, kit, app):
    kit.reassign(app, linear.ids["price"], linear.bob.id, linear.planner.id)
    bob = login_as(linear.bob)
    html = bob.get("/funnel/").get_data(as_text=True)
    assert re.search(r'<tr id="step-contact"><td>[^<]+</td>\s*<td class="num"><a [^>]+>1</a>', html)
    assert 'name="manager_id"' not in html  # no manager filter for a manager
    assert bob.get(f"/funnel/?manager_id={linear.ann.id}").status_code == 404
    listed = bob.get("/funnel/engagements?kind=worked").get_data(as_text=True)
    assert "Клиент price" in listed and "Клиент won" not in listed
    assert "Funnel" not in re.search(r"<nav.*?</nav>", bob.get("/").get_data(as_text=True), re.S).group(0)
    assert 'href="/funnel/"' in re.search(r"<nav.*?</nav>", login_as(linear.planner).get("/").get_data(as_text=True),
                                          re.S).group(0)


def test_csv_of_every_table_is_audited(linear, login_as, app):
    page = login_as(linear.planner)
    for name in ("steps", "results", "reasons", "trend", "managers", "matrix"):
        response = page.get(f"/funnel/export/{name}.csv?scenario_id={linear.scenario_id}")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
        assert response.get_data(as_text=True).startswith("\ufeff"), name
    rows = list(csv.reader(io.StringIO(page.get("/funnel/export/steps.csv").get_data(as_text=True).lstrip("\ufeff")),
                           delimiter=","))  # English locale: Excel's "," (";" in Russian)
    assert rows[0][:4] == ["Step", "Entered", "Passed", "Dropped"]
    assert rows[1:] == [["Establish contact", "6", "4", "1", "1", "0.2000"], ["Presentation", "4", "2", "1", "1", "0.3333"],
                        ["Commercial offer", "2", "1", "1", "0", "0.5000"]]
    assert page.get("/funnel/export/secrets.csv").status_code == 404
    with app.app_context():
        audited = db_session().scalars(select(models.AuditEvent.details).where(
            models.AuditEvent.action == "export", models.AuditEvent.object_type == "funnel")).all()
    assert len(audited) == 7 and sorted(d["table"] for d in audited)[0] == "managers"


def test_the_managers_page_and_the_widget(linear, login_as, kit, app):
    kit.reassign(app, linear.ids["price"], linear.bob.id, linear.planner.id)
    page = login_as(linear.planner)
    html = page.get("/funnel/managers").get_data(as_text=True)
    ann = re.search(rf'<tr id="manager-{linear.ann.id}">.*?</tr>', html, re.S).group(0)
    assert "Анна" in ann and ">5</a>" in ann and "33.3 %" in ann  # worked 5; won 1 of 3 closed
    assert f'id="cell-{linear.bob.id}-offer"' in html and 'id="test-statement"' in html
    home = page.get("/").get_data(as_text=True)
    assert 'hx-get="/funnel/widget"' in home
    widget = page.get("/funnel/widget").get_data(as_text=True)
    assert 'id="funnel-widget"' in widget and "Establish contact" in widget


def test_report_sections_render_the_funnel_and_the_managers(linear, app):
    from expo.hooks import now
    from expo_funnel.report import render_funnel, render_managers

    period = now().strftime("%Y-%m")
    app.config["FUNNEL_WEAKEST_MIN_DECIDED"] = 2
    with app.app_context(), app.test_request_context():
        funnel = str(render_funnel(period, {}))
        managers = str(render_managers(period, {"manager_id": linear.ann.id}))
        elsewhere = str(render_funnel(period, {"exhibition_id": linear.empty_show_id}))
    assert _bars(funnel) == ["contact", "presentation", "offer"] and "Weakest step" in funnel
    assert "Анна" in managers and "Борис" not in managers
    assert not _bars(elsewhere) and "No engagements in this selection." in elsewhere


def test_the_app_works_with_the_plugin_disabled(make_app, make_user, login_as):
    app = make_app(PLUGINS="none")
    page = login_as(make_user("planner"), app)
    assert page.get("/funnel/").status_code == 404 and page.get("/").status_code == 200


def test_the_funnel_speaks_russian(linear, login_as, make_app):
    html = login_as(linear.planner, make_app(LOCALE="ru")).get("/funnel/").get_data(as_text=True)
    assert "Воронка" in html and "Вошло" in html and "Доля отсева" in html and "Конверсия по месяцам закрытия" in html


def test_a_report_with_the_funnel_sections_is_a_pdf_with_their_numbers(linear, api):
    from pypdf import PdfReader

    from expo.hooks import now

    planner = api(linear.planner)
    assert {"funnel-steps", "funnel-managers"} <= {s["key"] for s in planner.get("/reports/sections").json["items"]}
    queued = planner.post("/reports", json={"sections": ["funnel-steps", "funnel-managers"],
                                            "period": now().strftime("%Y-%m")})
    assert queued.status_code == 202, queued.json
    pdf = planner.get(f"/reports/{queued.json['id']}/pdf").data
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Funnel: steps, reasons, conversion" in text and "Funnel: managers" in text
    assert "Establish contact" in text and "Commercial offer" in text and "Анна" in text
    assert "25.0 %" in text  # won ÷ closed: 1 of 4


@pytest.mark.parametrize("query", ["endpoint=x", "_method=POST", "_scheme=javascript&_external=1"])
def test_query_keys_that_mean_something_to_url_for_are_harmless(linear, login_as, query):
    """They were copied into the pages' links (found by an attack: a 500)."""
    page = login_as(linear.planner)
    for url in ("/funnel/", "/funnel/managers"):
        response = page.get(f"{url}?{query}")
        assert response.status_code == 200 and "\"javascript:" not in response.get_data(as_text=True), url


def test_a_firm_without_a_scenario_gets_empty_pages(login_as, make_user):
    page = login_as(make_user("planner"))
    for url in ("/funnel/", "/funnel/managers", "/funnel/widget", "/funnel/engagements", "/funnel/export/steps.csv"):
        assert page.get(url).status_code == 200, url


def test_the_filters_offer_the_firms_own_lists(linear, login_as):
    for person in (linear.planner, linear.bob):  # the firm's list, whoever's clients have a value
        form = login_as(person).get("/funnel/").get_data(as_text=True)
        assert "<option>Москва</option><option>Казань</option>" in form  # in the list's order


def test_a_manager_cannot_tell_which_user_ids_exist(linear, login_as):
    bob = login_as(linear.bob)
    assert bob.get(f"/funnel/?manager_id={linear.ann.id}").status_code == 404
    assert bob.get("/funnel/?manager_id=999999").status_code == 404


def test_changing_the_scenario_in_the_form_forgets_the_old_version(linear, login_as, app, kit):
    other = kit.build(app, linear.planner.id, kit.LOOP, {"x": ("no",)})
    page = login_as(linear.planner)
    form = page.get(f"/funnel/?version_id={linear.scenario_id}").get_data(as_text=True)
    assert f'name="versions_of" value="{linear.scenario_id}"' in form
    switched = page.get(f"/funnel/?scenario_id={other['scenario_id']}&version_id={linear.scenario_id}"
                        f"&versions_of={linear.scenario_id}")
    assert switched.status_code == 200 and _bars(switched.get_data(as_text=True)) == ["contact", "offer"]


def test_bad_paging_on_the_drill_down_answers_the_fragment(linear, login_as):
    response = login_as(linear.planner).get("/funnel/engagements?limit=0", headers={"HX-Request": "true"})
    assert response.status_code == 422 and "<html" not in response.get_data(as_text=True)
    assert 'id="drilldown-table"' in response.get_data(as_text=True)
