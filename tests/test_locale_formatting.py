"""Money, report periods and document dates in the UI's locale (issue 14, item 3).

An amount field shows «2 359 000,00» in Russian, like the «2 359 000,00 ₽» next to it, and the
server reads that back as well as ``2359000.00``; a report period is «октябрь 2026», not ``2026-10``.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from expo.core import documents, validation as v
from expo.core.errors import ValidationError
from expo.core.i18n import amount_input, period_label
from expo.testing import new_client, new_engagement, new_exhibition

NBSP = "\u00a0"


@pytest.fixture
def russian(make_app):
    app = make_app(LOCALE="ru")
    with app.test_request_context():
        yield app


def test_an_amount_input_reads_as_the_locale_writes_it(russian):
    assert amount_input(Decimal("2359000.00")).replace(NBSP, " ") == "2 359 000,00"
    assert amount_input(Decimal("15")) == "15,00"
    assert amount_input(None) == ""
    assert amount_input("12 3,4") == "12 3,4"  # what the user typed, shown again with its error


def test_an_amount_input_in_english(app):
    with app.test_request_context():
        assert amount_input(Decimal("2359000")) == "2,359,000.00"


@pytest.mark.parametrize("typed", ["2 359 000,00", f"2{NBSP}359{NBSP}000,00", "2\u202f359\u202f000,00",
                                   "2359000.00", "2359000,00", "2359000"])
def test_the_server_reads_the_amount_however_it_is_written(typed):
    assert v.clean({"amount": v.money()}, {"amount": typed})["amount"] == Decimal("2359000.00")


@pytest.mark.parametrize("junk", ["два миллиона", "2,359,000.00", "1e6", "2 35 000", "-5", "12.345"])
def test_junk_amounts_get_a_clear_error(app, junk):
    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        v.clean({"amount": v.money()}, {"amount": junk})
    assert str(refused.value.fields["amount"])


def test_report_periods_are_named_like_people_name_months(russian):
    assert period_label("2026-10") == "октябрь 2026"
    assert period_label("2026-05") == "май 2026"
    assert period_label(None) == "—"


def test_report_periods_in_english(app):
    with app.test_request_context():
        assert period_label("2026-10") == "October 2026"


def test_document_templates_get_formatted_dates_and_money(russian):
    engagement = SimpleNamespace(
        client=SimpleNamespace(name="ООО «Ромашка»", tax_id=None, region=None, industry=None, website=None,
                               email=None, phone=None, contacts=[]),
        exhibition=SimpleNamespace(name="Иннопром", venue="Екатеринбург", starts_on=date(2026, 7, 6),
                                   ends_on=date(2026, 7, 9)),
        manager=None, expected_amount=Decimal("2359000"), contract_amount=None, step="contact")
    filled = documents.context(engagement)
    assert filled["exhibition"]["starts_on"].replace("\u202f", " ") == "6 июля 2026 г."
    assert filled["engagement"]["expected_amount"].replace(NBSP, " ").startswith("2 359 000,00")
    assert "₽" in filled["engagement"]["expected_amount"]
    assert isinstance(filled["today"], str) and "20" in filled["today"]


def test_the_engagement_form_shows_amounts_in_russian(make_app, make_user, login_as):
    app = make_app(LOCALE="ru")
    planner = make_user("planner")
    with app.app_context():
        client = new_client(planner, name="ООО «Сумма»")
        engagement = new_engagement(planner, client, new_exhibition(planner), expected_amount="2359000.00")
        engagement_id = engagement.id
    html = login_as(planner, app).get(f"/engagements/{engagement_id}").get_data(as_text=True)
    assert f'name="expected_amount" value="2{NBSP}359{NBSP}000,00"' in html
    assert 'value="2359000.00"' not in html


def test_the_reports_page_names_periods_in_russian(make_app, make_user, login_as, api):
    app = make_app(LOCALE="ru")
    planner = make_user("planner")
    queued = api(planner, app).post("/reports", json={"sections": ["summary"], "period": "2026-10"})
    assert queued.status_code in (200, 201, 202), queued.json
    html = login_as(planner, app).get("/reports/").get_data(as_text=True)
    assert "<td>октябрь 2026</td>" in html and "<td>2026-10</td>" not in html  # the report's row
