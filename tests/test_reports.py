"""Reports: SQL sections, PDF by WeasyPrint (checked by its text), jobs in-process and on a real RQ
worker, subscriptions delivered once per occurrence to a real SMTP server (aiosmtpd on loopback)."""
from __future__ import annotations

import io
import socket
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from pypdf import PdfReader
from sqlalchemy import func, select

from expo.core import clock, db
from expo.core.models import Client, Report, ReportDelivery, ReportSubscription, User
from expo.hooks import ListFilter, hookimpl
from expo.core.reports import generate, subscriptions as subs
from expo.core.services import process
from expo.testing import PageClient
from expo.testing import new_client, new_engagement, new_exhibition, new_scenario
from tests.test_jobs import redis_url  # noqa: F401  (fixture)

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)


def _pdf_text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def firm(app, make_user, monkeypatch):
    """November 2026: two managers, one won and one lost engagement, one open."""
    monkeypatch.setattr(clock, "now", lambda: NOW)
    planner = make_user("planner", email="p@firm.ru", name="Павел Планов")
    masha = make_user("manager", email="m@firm.ru", name="Мария Иванова")
    oleg = make_user("manager", email="o@firm.ru", name="Олег Смирнов")
    with app.app_context():
        p = db.session().get(User, planner.id)
        scenario = new_scenario(p)
        show = new_exhibition(p, name="Иннопром 2026")
        won = new_engagement(p, new_client(p, name="ООО «Альфа»", manager_id=masha.id), show,
                             scenario_id=scenario.id, expected_amount="1000000")
        lost = new_engagement(p, new_client(p, name="ООО «Бета»", manager_id=oleg.id), show, scenario_id=scenario.id)
        new_engagement(p, new_client(p, name="ООО «Гамма»", manager_id=oleg.id), show, scenario_id=scenario.id)
        for outcome in ("interested", "ok", "signed"):
            process.choose_outcome(won, outcome, p)
        process.choose_outcome(lost, "no", p)
        from expo.core.services.engagements import update_engagement

        update_engagement(won, {"contract_amount": "950000"}, p)
        db.commit()
    return {"planner": planner, "masha": masha, "oleg": oleg}


def test_a_report_renders_to_a_pdf_with_every_section(app, api, firm):
    as_planner = api(firm["planner"])
    sections = [s["key"] for s in as_planner.get("/reports/sections").json["items"]]
    assert sections[:3] == ["summary", "exhibitions", "discipline"]
    queued = as_planner.post("/reports", json={"sections": sections, "period": "2026-11"})
    assert queued.status_code == 202 and set(queued.json) == {"id", "state"}
    report = as_planner.get(f"/reports/{queued.json['id']}").json
    assert report["state"] == "done" and report["error"] is None  # in-process: done at once
    pdf = as_planner.get(f"/reports/{report['id']}/pdf")
    text, pages = _pdf_text(pdf.data)
    assert pages >= 1
    for expected in ("Management report", "2026-11", "Мария Иванова", "Олег Смирнов", "Иннопром 2026",
                     "Summary", "Exhibitions", "Discipline", "Page 1 /"):
        assert expected in text, expected
    fonts = {font.get_object()["/BaseFont"].split("+")[-1]
             for page in PdfReader(io.BytesIO(pdf.data)).pages for font in page["/Resources"]["/Font"].values()}
    # the fonts the set-up installs (npm) are embedded; without npm, the system's DejaVu
    assert "Expo-Cyrillic" in fonts if generate.FONT_DIR.exists() else any("DejaVu" in f for f in fonts)
    summary = text[text.index("Summary"):text.index("Exhibitions", text.index("Summary") + 1)]
    assert "New clients: 3" in summary and "engagements opened: 3" in summary
    assert "won: 1 (RUB950,000.00)" in summary and "lost: 1" in summary


def test_report_numbers_follow_the_filters(app, api, firm):
    as_planner = api(firm["planner"])
    report_id = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-11",
                                                  "manager_id": firm["oleg"].id}).json["id"]
    text, _pages = _pdf_text(as_planner.get(f"/reports/{report_id}/pdf").data)
    assert "Олег Смирнов" in text and "Мария Иванова" not in text
    assert "New clients: 2" in text and "won: 0" in text
    earlier = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-10"}).json["id"]
    assert "New clients: 0" in _pdf_text(as_planner.get(f"/reports/{earlier}/pdf").data)[0]


class RegionFilter:
    """A plugin's client-list filter (as segments adds saved segments): reports may be narrowed by it."""

    @hookimpl
    def list_filters(self, list_name, user):
        if list_name == "clients":
            return [ListFilter("probe_region", "Probe region", (("kazan", "Казань"), ("perm", "Пермь")),
                               lambda value: Client.region == {"kazan": "Казань", "perm": "Пермь"}[value])]


def test_a_report_is_narrowed_by_a_plugins_client_filter(make_app, make_user, monkeypatch, login_as, api):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    app = make_app(plugins=[RegionFilter()])
    planner = make_user("planner")
    with app.app_context():
        p = db.session().get(User, planner.id)
        show = new_exhibition(p)
        for name, region in (("ООО «Казанское»", "Казань"), ("ООО «Пермское»", "Пермь"), ("ООО «Второе»", "Пермь")):
            new_engagement(p, new_client(p, name=name, region=region), show)
    as_planner = api(planner, app)
    refused = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-11", "probe_region": "oslo"})
    assert refused.status_code == 422 and set(refused.json["error"]["fields"]) == {"probe_region"}
    queued = as_planner.post("/reports", json={"sections": ["summary", "exhibitions"], "period": "2026-11",
                                               "probe_region": "perm"})
    assert queued.status_code == 202, queued.json
    text, _pages = _pdf_text(as_planner.get(f"/reports/{queued.json['id']}/pdf").data)
    assert "Probe region: Пермь" in text  # the header names the filter
    assert "New clients: 2 · engagements opened: 2" in text
    # the report form and the subscription form offer it, and a subscription keeps it
    assert 'name="probe_region"' in login_as(planner, app).get("/reports/").get_data(as_text=True)
    created = as_planner.post("/reports/subscriptions", json={"name": "Пермь", "sections": ["summary"],
                                                              "frequency": "monthly", "day": 1,
                                                              "recipient_user_ids": [planner.id],
                                                              "probe_region": "perm"})
    assert created.status_code == 201 and created.json["filters"] == {"probe_region": "perm"}
    described = as_planner.get("/openapi.json").json["components"]["schemas"]["ReportInput"]["properties"]
    assert "perm" in described["probe_region"]["enum"]


def test_a_long_report_breaks_across_pages(app, api, make_user, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    planner = make_user("planner")
    with app.app_context():
        p = db.session().get(User, planner.id)
        for i in range(60):
            manager = User(email=f"m{i}@firm.ru", name=f"Менеджер Номер {i:02d}", role="manager", password_hash="x")
            db.session().add(manager)
            db.session().flush()
            new_client(p, name=f"Клиент {i}", manager_id=manager.id)
    as_planner = api(planner)
    report_id = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-11"}).json["id"]
    text, pages = _pdf_text(as_planner.get(f"/reports/{report_id}/pdf").data)
    assert pages >= 2 and f"Page {pages} / {pages}" in text
    assert "Менеджер Номер 00" in text and "Менеджер Номер 59" in text
    # the table header repeats on the next page
    second = PdfReader(io.BytesIO(as_planner.get(f"/reports/{report_id}/pdf").data)).pages[1].extract_text()
    assert "New clients" in second


@pytest.mark.parametrize("payload, fields", [
    ({"sections": ["summary"], "period": "2026-13"}, {"period"}),
    ({"sections": ["nonsense"], "period": "2026-11"}, {"sections"}),
    ({"sections": [], "period": "2026-11"}, {"sections"}),
    ({"sections": ["summary"], "period": "2026-11", "exhibition_id": 99999}, {"exhibition_id"}),
    ({"sections": "summary", "period": None}, {"sections", "period"}),
])
def test_bad_report_requests_are_refused(app, api, firm, payload, fields):
    response = api(firm["planner"]).post("/reports", json=payload)
    assert response.status_code == 422 and set(response.json["error"]["fields"]) == fields
    with app.app_context():
        assert db.session().scalar(select(func.count(Report.id))) == 0


def test_client_managers_get_no_reports(api, firm):
    as_manager = api(firm["masha"])
    assert as_manager.post("/reports", json={"sections": ["summary"], "period": "2026-11"}).status_code == 403
    assert as_manager.get("/reports/sections").status_code == 403


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_is_reported_not_hidden(make_app, api, firm):
    app = make_app(REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0")
    planner = PageClient(app)
    planner.login("p@firm.ru")
    response = planner.submit("/reports/", {"period": "2026-11", "sections": "summary"})
    assert response.status_code == 503 and "unavailable" in response.get_data(as_text=True)
    with app.app_context():
        report = db.session().scalar(select(Report))
        assert report.state == "failed" and "unavailable" in report.error  # visible in the history


def test_reports_run_on_a_real_rq_worker(make_app, firm, redis_url):  # noqa: F811
    app = make_app(REDIS_URL=redis_url)
    page = PageClient(app)
    page.login("p@firm.ru")
    assert page.submit("/reports/", {"period": "2026-11", "sections": ["summary", "discipline"]}).status_code == 302
    with app.app_context():
        report_id = db.session().scalar(select(Report.id))
    row = page.get(f"/reports/{report_id}/status").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in row  # queued: the row keeps polling
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    row = page.get(f"/reports/{report_id}/status").get_data(as_text=True)
    assert "every 1s" not in row and f"/reports/{report_id}/pdf" in row
    assert "Мария Иванова" in _pdf_text(page.get(f"/reports/{report_id}/pdf").data)[0]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.url = f"smtp://127.0.0.1:{controller.port}"
    yield inbox
    controller.stop()


def _subscription(app, firm, **fields):
    data = {"name": "Ежемесячный отчёт", "sections": ["summary", "exhibitions"], "frequency": "monthly", "day": 1,
            "at_time": "08:00", "recipient_user_ids": [firm["planner"].id], "recipient_emails": ["boss@firm.ru"]}
    data.update(fields)
    with app.app_context():
        planner = db.session().get(User, firm["planner"].id)
        subscription = subs.create_subscription(data, planner)
        subscription.created_at = subscription.schedule_changed_at = NOW - timedelta(days=60)
        db.commit()
        return subscription.id


def test_a_subscription_is_mailed_once_per_occurrence_over_smtp(make_app, firm, smtp, monkeypatch):
    app = make_app(SMTP_URL=smtp.url)
    subscription_id = _subscription(app, firm)
    with app.app_context():
        assert subs.run_due_subscriptions() == 1  # 1 Nov 08:00 Moscow has passed
        db.commit()  # the delivery job runs in-process after the commit
        assert subs.run_due_subscriptions() == 0  # sent already: nothing owed
        db.commit()
        delivery = db.session().scalar(select(ReportDelivery))
        assert (delivery.state, delivery.period, delivery.subscription_id) == ("sent", "2026-10", subscription_id)
    assert len(smtp.messages) == 1
    recipients, raw = smtp.messages[0]
    assert sorted(recipients) == ["boss@firm.ru", "p@firm.ru"]
    message = message_from_bytes(raw, policy=default)
    assert message["Subject"] == "Ежемесячный отчёт — October 2026"  # the period named in the app's locale (en here)
    parts = {part.get_content_type(): part for part in message.walk()}
    plain = parts["text/plain"].get_payload(decode=True).decode()
    assert "New clients" in plain and "October 2026" in plain and "2026-10" not in plain
    assert "text/html" in parts
    text, _pages = _pdf_text(parts["application/pdf"].get_payload(decode=True))
    assert "Ежемесячный отчёт" in text and "October 2026" in text
    # a month later the next occurrence is due
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=12))
    with app.app_context():
        assert subs.run_due_subscriptions() == 1


def test_smtp_down_marks_the_delivery_failed_and_a_resend_works(make_app, firm, smtp):
    down = make_app(SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    subscription_id = _subscription(down, firm)
    with down.app_context():
        subs.run_due_subscriptions()
        db.commit()
        delivery = db.session().scalar(select(ReportDelivery))
        assert delivery.state == "failed" and "Connection" in delivery.error
    up = make_app(SMTP_URL=smtp.url)
    page = PageClient(up)
    page.login("p@firm.ru")
    log = page.get(f"/reports/subscriptions/{subscription_id}").get_data(as_text=True)
    assert "Resend" in log and "Connection" in log
    assert page.submit(f"/reports/deliveries/{delivery.id}/resend").status_code == 302
    with up.app_context():
        assert db.session().scalar(select(ReportDelivery.state)) == "sent"
        assert db.session().scalar(select(func.count(ReportDelivery.id))) == 1
    assert len(smtp.messages) == 1


def test_weekly_occurrences_and_send_now_command(make_app, firm, smtp):
    app = make_app(SMTP_URL=smtp.url)
    subscription_id = _subscription(app, firm, frequency="weekly", weekday=0, day=None, at_time="09:30")
    with app.app_context():
        subscription = db.session().get(ReportSubscription, subscription_id)
        due = subs.last_occurrence(subscription, NOW)  # Friday 20 Nov → Monday 16 Nov 09:30 Moscow
        assert due.isoformat() == "2026-11-16T09:30:00+03:00"
        assert subs.report_period(subscription, due) == "2026-11"
    result = app.test_cli_runner().invoke(args=["reports", "send", str(subscription_id)])
    assert result.exit_code == 0 and result.output.startswith("queued: manual-")
    assert len(smtp.messages) == 1
    assert app.test_cli_runner().invoke(args=["reports", "send", "999"]).exit_code != 0


@pytest.mark.parametrize("changes, field", [
    ({"recipient_user_ids": [], "recipient_emails": []}, "recipients"),
    ({"recipient_emails": ["not-an-address"]}, "recipient_emails"),
    ({"sections": ["summary", "bogus"]}, "sections"),
    ({"starts_on": "2020-01-01"}, "starts_on"),
    ({"frequency": "daily"}, "frequency"),
    ({"day": 31}, "day"),
    ({"at_time": "25:00"}, "at_time"),
])
def test_bad_subscriptions_are_refused(app, api, firm, changes, field):
    data = {"name": "S", "sections": ["summary"], "frequency": "monthly", "day": 1,
            "recipient_emails": ["boss@firm.ru"]}
    data.update(changes)
    response = api(firm["planner"]).post("/reports/subscriptions", json=data)
    assert response.status_code == 422 and field in response.json["error"]["fields"]
    with app.app_context():
        assert db.session().scalar(select(func.count(ReportSubscription.id))) == 0


def test_subscriptions_api_crud(api, firm):
    as_planner = api(firm["planner"])
    created = as_planner.post("/reports/subscriptions", json={
        "name": "Еженедельно", "sections": ["discipline"], "frequency": "weekly", "weekday": 4, "at_time": "17:00",
        "recipient_emails": ["Boss@Firm.ru"]})
    assert created.status_code == 201 and created.json["recipient_emails"] == ["Boss@firm.ru"]
    sid = created.json["id"]
    patched = as_planner.patch(f"/reports/subscriptions/{sid}", json={"active": False})
    assert patched.status_code == 200 and patched.json["active"] is False and patched.json["weekday"] == 4
    assert [s["id"] for s in as_planner.get("/reports/subscriptions").json["items"]] == [sid]
    assert api(firm["masha"]).get("/reports/subscriptions").status_code == 403
    assert as_planner.delete(f"/reports/subscriptions/{sid}").status_code == 204
    assert as_planner.get(f"/reports/subscriptions/{sid}").status_code == 404


def test_subscription_pages(app, firm):
    page = PageClient(app)
    page.login("p@firm.ru")
    assert page.get("/reports/").status_code == 200
    created = page.submit("/reports/subscriptions/", {
        "name": "Через форму", "frequency": "monthly", "day": "5", "at_time": "07:00", "sections": ["summary"],
        "recipient_user_ids": [str(firm["masha"].id)], "recipient_emails": "a@firm.ru, b@firm.ru", "active": "on"})
    assert created.status_code == 302
    with app.app_context():
        stored = db.session().scalar(select(ReportSubscription))
        assert (stored.day, stored.recipient_user_ids, stored.recipient_emails) == (5, [firm["masha"].id],
                                                                                   ["a@firm.ru", "b@firm.ru"])
    bad = page.submit("/reports/subscriptions/", {"name": "", "frequency": "monthly", "day": "40"})
    assert bad.status_code == 422 and 'id="error-day"' in bad.get_data(as_text=True)
    anonymous = PageClient(app)
    assert anonymous.get("/reports/").status_code == 302  # sent to the login page


def test_old_reports_and_their_files_are_purged(app, api, firm, monkeypatch):
    as_planner = api(firm["planner"])
    report_id = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-11"}).json["id"]
    with app.app_context():
        report = db.session().get(Report, report_id)
        path = generate.file_path(report)
        assert path.exists()
        monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=89))
        assert generate.purge_old_reports() == 0
        monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=91))
        assert generate.purge_old_reports() == 1
        db.commit()
        assert not path.exists() and db.session().get(Report, report_id) is None


def test_the_scheduler_registers_the_recurring_jobs(app, redis_url):  # noqa: F811
    from redis import Redis

    from expo.core import schedule

    with app.app_context():
        scheduler = schedule.cron_scheduler(Redis.from_url(redis_url))
        registered = {(job.args[0], job.cron) for job in scheduler.get_jobs()}
    assert registered == {("expo.core.services.tasks:run_deadline_checks", "*/15 * * * *"),
                          ("expo.core.reports.subscriptions:run_due_subscriptions", "*/5 * * * *"),
                          ("expo.core.reports.generate:purge_old_reports", "30 3 * * *"),
                          ("expo.core.services.deletion:run_purge", "45 3 * * *"),
                          ("expo.core.jobs:drain_outbox", "* * * * *"),
                          ("expo.core.services.users:purge_expired_sessions", "50 3 * * *"),
                          ("expo_segments.jobs:recompute_all", "15 2 * * *"),
                          ("expo_funnel.jobs:rebuild_all", "40 2 * * *"),
                          ("expo_planning.jobs:resync_all", "50 2 * * *")}


def test_a_plugin_section_is_offered_and_printed(make_app, api, firm):
    from expo.hooks import ReportSection, hookimpl

    class Ratings:
        @hookimpl
        def register_report_sections(self):
            return [ReportSection("top_clients", "Топ клиентов", lambda period, filters: f"<p>Лучшие за {period}</p>")]

    app = make_app(plugins=[Ratings()])
    client = api(firm["planner"], app)
    assert "top_clients" in [s["key"] for s in client.get("/reports/sections").json["items"]]
    report_id = client.post("/reports", json={"sections": ["top_clients", "summary"], "period": "2026-11"}).json["id"]
    text, _pages = _pdf_text(client.get(f"/reports/{report_id}/pdf").data)
    assert text.index("Топ клиентов") < text.index("Summary") and "Лучшие за 2026-11" in text
    assert "<p>" not in text  # the section's HTML is HTML, not text
