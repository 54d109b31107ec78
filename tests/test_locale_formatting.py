"""Money, report periods and document dates in the UI's locale (issue 14, item 3).

An amount field shows «2 359 000,00» in Russian, like the «2 359 000,00 ₽» next to it, and the
server reads that back as well as ``2359000.00``; a report period is «октябрь 2026», not ``2026-10``.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
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


def test_zero_has_no_sign_whatever_was_formatted_first(russian):
    from expo.core.i18n import money
    # -0 and 0 are equal (one remembered text for both): neither may show as "-0,00"
    assert money(Decimal("-0")) == money(Decimal("0")) == money(Decimal("0.00"))
    assert not money(Decimal("-0.00")).startswith("-")
    assert money(Decimal("-5")).startswith("-")


@pytest.mark.plugins("")
def test_a_label_reads_each_apps_own_catalog(make_app, tmp_path):
    """Labels are remembered per app: a plugin's catalog merged into one app may word a core label
    its own way (an add-on's, not the bundled ones': a test keeps those in step with the core's),
    and that wording must not leak into another app of the process, nor the other's into it."""
    import types

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from expo.core.labels import label
    folder = tmp_path / "wording" / "translations" / "ru" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="ru")
    catalog.add("won", "победа")
    with (folder / "messages.mo").open("wb") as handle:
        write_mo(handle, catalog)
    wording = types.ModuleType("expo_wording")
    wording.__file__ = str(tmp_path / "wording" / "__init__.py")
    for order in ("core first", "add-on first"):
        core_only = make_app(LOCALE="ru")
        reworded = make_app(LOCALE="ru", plugins=[wording])
        apps = (core_only, reworded) if order == "core first" else (reworded, core_only)
        texts = {}
        for app in apps:
            with app.test_request_context():
                texts[app] = label("state", "won")
        assert (texts[core_only], texts[reworded]) == ("выигран", "победа"), order


MOMENTS = [datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)
           for month, day in ((1, 1), (3, 9), (10, 31), (12, 7)) for hour, minute in ((0, 0), (7, 5), (11, 59), (12, 0),
                                                                                       (13, 30), (21, 4), (23, 59))]


@pytest.mark.parametrize("locale", ["ru", "en", "de", "fr", "ja", "ar"])
def test_moments_read_as_babel_writes_them(app, locale):
    """moment_text formats from the locale's pattern compiled once: the same text as Babel's own
    format_datetime (in the firm's zone), in Expo's two locales and in others with other fields."""
    from babel import Locale
    from babel.dates import format_datetime
    from flask_babel import force_locale

    from expo.core import clock
    from expo.core.i18n import moment_text

    with app.test_request_context(), force_locale(locale):
        for moment in MOMENTS:
            assert moment_text(moment) == format_datetime(clock.firm_time(moment), "short", locale=Locale.parse(locale))
        assert moment_text(None) == "—"


def test_a_request_gets_the_processs_one_locale_object_per_code(make_app):
    """The formatting caches and the labels' texts are keyed by the locale: every request of a
    locale hands over the same object, so a look-up never compares Babel's five attributes."""
    from flask import session

    from expo.core.i18n import current_locale

    app = make_app(LOCALE="ru")
    seen = []
    for chosen in ("en", "en", "ru", None):
        with app.test_request_context():
            if chosen:
                session["locale"] = chosen
            seen.append(current_locale())
    assert [str(locale) for locale in seen] == ["en", "en", "ru", "ru"]
    assert seen[0] is seen[1] and seen[2] is seen[3]
