"""The client base's protection: export needs its right and is audited; deletion is soft (hidden
everywhere, restorable by admins), purged later, and only the purge fires ``client_deleted``.
Import pages: upload, mapping, dry run, commit, the skipped rows, and big files as a job."""
from __future__ import annotations

import io
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from expo.core import clock, db
from expo.core.models import SYSTEM, AuditEvent, Client, Import, User
from expo.core.errors import Conflict
from expo.core.services import deletion
from expo.core.services.clients import create_client
from expo.testing import new_client, new_engagement, new_exhibition, upload, xlsx_bytes
from tests.test_jobs import redis_url  # noqa: F401  (fixture)


def _base(app, planner, names=("ООО «Альфа»", "ООО «Бета»", "=cmd|' /C calc'!A0")):
    with app.app_context():
        planner = db.session().get(User, planner.id)
        return [new_client(planner, name=name, region="Москва" if i < 2 else "Тверь").id for i, name in enumerate(names)]


def test_export_needs_the_right_is_audited_and_escapes_formulas(app, login_as, api, make_user):
    planner = make_user("planner")
    exporter = make_user("viewer", grants=["clients.export"])
    _base(app, planner)
    page = login_as(planner)
    assert "Export Excel" not in page.get("/clients/").get_data(as_text=True)
    assert page.submit("/clients/export", {"format": "csv"}).status_code == 403
    assert api(planner).get("/clients/export?format=csv").status_code == 403
    page = login_as(exporter)
    assert "Export Excel" in page.get("/clients/").get_data(as_text=True)
    csv_text = page.submit("/clients/export", {"format": "csv", "region": "Тверь"}).get_data(as_text=True)
    assert csv_text.startswith("\ufeff") and "'=cmd" in csv_text and "Альфа" not in csv_text
    response = api(exporter).get("/clients/export?format=xlsx&region=Москва")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["ООО «Альфа»", "ООО «Бета»"]
    assert api(exporter).get("/clients/export?format=pdf").status_code == 422
    with app.app_context():
        events = db.session().scalars(select(AuditEvent).where(AuditEvent.action == "export")
                                      .order_by(AuditEvent.id)).all()
    assert [(e.details["format"], e.details["count"], e.details["filters"]) for e in events] == [
        ("csv", 1, {"region": "Тверь"}), ("xlsx", 2, {"region": "Москва"})]


def test_deleted_clients_vanish_everywhere_and_admins_restore_them(app, login_as, api, make_user):
    planner = make_user("planner", grants=["clients.delete"])
    admin = make_user("admin")
    alpha, beta, third = _base(app, planner)
    with app.app_context():
        me = db.session().get(User, planner.id)
        engagement = new_engagement(me, db.session().get(Client, alpha), new_exhibition(me))
    page = login_as(planner)
    confirm = page.get("/clients/delete?region=Москва").get_data(as_text=True)
    assert "2 clients match" in confirm
    assert page.submit("/clients/delete", {"region": "Москва"}).status_code == 302
    listing = page.get("/clients/").get_data(as_text=True)
    assert "Альфа" not in listing and "Бета" not in listing and "1 clients found" in listing
    assert page.get(f"/clients/{alpha}").status_code == 404
    assert page.get(f"/engagements/{engagement.id}").status_code == 404
    assert api(planner).get(f"/engagements/{engagement.id}").status_code == 404
    assert api(planner).get("/engagements").json["total"] == 0
    # the tax id stays taken by the deleted client until it is purged
    with app.app_context():
        taken = db.session().get(Client, alpha).tax_id
    refused = api(planner).post("/clients", json={"name": "ООО «Копия»", "tax_id": taken})
    assert refused.status_code == 409 and "deleted client" in refused.json["error"]["fields"]["tax_id"]
    assert login_as(planner).get("/admin/deleted-clients").status_code == 403
    admin_page = login_as(admin)
    assert "Альфа" in admin_page.get("/admin/deleted-clients").get_data(as_text=True)
    assert admin_page.submit("/admin/deleted-clients/restore", {"client_id": str(alpha)}).status_code == 302
    assert page.get(f"/clients/{alpha}").status_code == 200
    assert api(admin).post(f"/clients/{beta}/restore").json["name"] == "ООО «Бета»"
    assert api(admin).post(f"/clients/{beta}/restore").status_code == 404  # not deleted any more
    with app.app_context():
        actions = db.session().scalars(select(AuditEvent.action).where(AuditEvent.object_type == "client",
                                                                       AuditEvent.action != "create")
                                      .order_by(AuditEvent.id)).all()
    assert actions == ["delete", "restore", "restore"]


def test_the_purge_deletes_for_good_after_the_grace_days_and_fires_client_deleted(make_app, make_user, recorder,
                                                                                  frozen_clock):
    app = make_app(plugins=[recorder], CLIENT_PURGE_DAYS=30)
    planner = make_user("planner", grants=["clients.delete"])
    alpha, beta, _third = _base(app, planner)
    with app.app_context():
        me = db.session().get(User, planner.id)
        deletion.delete_client(db.session().get(Client, alpha), me)
        db.commit()
        frozen_clock.advance(days=10)
        deletion.delete_client(db.session().get(Client, beta), me)
        db.commit()
        assert recorder.of("client_deleted") == []
        frozen_clock.advance(days=21)  # alpha: 31 days ago, beta: 21
        # past the window the bin promised: neither listed nor restorable, even before the purge runs
        assert [c.id for c in deletion.deleted_clients(10)[0]] == [beta]
        assert deletion.restore_clients([alpha], SYSTEM) == 0
        with pytest.raises(Conflict) as taken:  # and the tax id it holds says so, not "can be restored"
            create_client({"name": "ООО «Новая Альфа»", "tax_id": db.session().get(Client, alpha).tax_id}, me)
        assert "nightly purge" in taken.value.fields["tax_id"]
        assert deletion.run_purge() == {"purged": 1}
        db.commit()
        assert deletion.run_purge() == {"purged": 0}
        assert db.session().get(Client, alpha) is None and db.session().get(Client, beta) is not None
    assert recorder.of("client_deleted") == [{"client_id": alpha, "name": "ООО «Альфа»", "user": None}]


def test_import_pages_upload_map_check_commit_and_give_the_skipped_rows(app, login_as, make_user):
    planner = make_user("planner")
    page = login_as(planner)
    assert login_as(make_user("manager")).get("/imports/").status_code == 403
    rows = [["Компания", "ИНН", "Почта"], ["ООО «Один»", "7706000001", "a@one.ru"],
            ["ООО «Два»", "123", ""], ["ООО «Один»", "7706000001", ""]]
    response = page.submit("/imports/", {"kind": "clients", "file": upload(xlsx_bytes(rows), "base.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    show = response.headers["Location"]
    mapping = page.get(show).get_data(as_text=True)
    assert 'name="column_1"' in mapping and '<option value="name" selected>' in mapping
    assert page.submit(show + "/mapping", {"column_1": "name", "column_2": "tax_id"}).status_code == 302
    checked = page.get(show).get_data(as_text=True)
    assert 'data-status="new">1<' in checked and 'data-status="invalid">1<' in checked
    assert 'data-status="duplicate">1<' in checked and "Repeats row 2." in checked
    assert "ООО «Один»" in page.get(show + "?status=new", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert page.submit(show + "/commit").status_code == 302
    with app.app_context():
        assert db.session().scalars(select(Client.name)).all() == ["ООО «Один»"]
        assert db.session().scalar(select(Client.email)) is None  # the e-mail column was left unmapped
    skipped = page.get(show + "/skipped")
    sheet = load_workbook(io.BytesIO(skipped.data), read_only=True).worksheets[0]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0][:3] == ("Row", "Reason", "Компания") and [line[0] for line in lines[1:]] == [3, 4]
    assert "10 or 12 digits" in lines[1][1]
    # the mapping is remembered for the next file with these columns
    again = page.submit("/imports/", {"kind": "clients", "file": upload(xlsx_bytes(rows), "base2.xlsx")},
                        content_type="multipart/form-data")
    assert '<option value="email" selected>' not in page.get(again.headers["Location"]).get_data(as_text=True)


def test_a_big_file_is_checked_by_a_job_with_a_progress_bar(make_app, make_user, login_as, redis_url, monkeypatch):  # noqa: F811
    from expo.core import jobs

    app = make_app(REDIS_URL=redis_url, IMPORT_JOB_ROWS=2)
    page = login_as(make_user("planner"), app)
    rows = [["Наименование", "ИНН"]] + [[f"ООО «Клиент {i}»", f"77070000{i:02d}"] for i in range(5)]
    show = page.submit("/imports/", {"file": upload(xlsx_bytes(rows), "big.xlsx")},
                       content_type="multipart/form-data").headers["Location"]
    page.submit(show + "/mapping", {"column_1": "name", "column_2": "tax_id"})
    progress = page.get(show + "/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in progress and "Waiting for the job" in progress
    monkeypatch.setattr(jobs, "_worker_app", None)
    assert app.test_cli_runner().invoke(args=["worker", "--burst"]).exit_code == 0
    done = page.get(show + "/progress")
    assert done.headers["HX-Refresh"] == "true"
    with app.app_context():
        imp = db.session().scalar(select(Import))
        assert (imp.state, imp.counts["new"]) == ("checked", 5)


def test_deleted_clients_leave_tasks_and_reports(app, make_user, login_as):
    planner = make_user("planner", grants=["clients.delete"])
    alpha, _beta, _third = _base(app, planner)
    with app.app_context():
        me = db.session().get(User, planner.id)
        deletion.delete_client(db.session().get(Client, alpha), me)
        db.commit()
        from expo.core.reports.sections import summary_data

        period = clock.today().strftime("%Y-%m")
        assert summary_data(period, {})["totals"]["new_clients"] == 2
        assert (clock.now() - db.session().get(Client, alpha).deleted_at) < timedelta(minutes=1)


def test_deleting_one_client_asks_first_on_a_page_of_its_own(app, login_as, make_user):
    planner = make_user("planner", grants=["clients.delete"])
    alpha, _beta, _third = _base(app, planner)
    page = login_as(planner)
    card = page.get(f"/clients/{alpha}").get_data(as_text=True)
    assert f'href="/clients/{alpha}/delete"' in card and "<form method=\"post\" action=\"/clients/" \
        f"{alpha}/delete\"" not in card  # the card only links to the question
    question = page.get(f"/clients/{alpha}/delete").get_data(as_text=True)
    assert "ООО «Альфа»" in question and "30" in question
    with app.app_context():
        assert db.session().get(Client, alpha).deleted_at is None  # asking changed nothing
    assert page.submit(f"/clients/{alpha}/delete").status_code == 302
    with app.app_context():
        assert db.session().get(Client, alpha).deleted_at is not None
    assert login_as(make_user("planner")).get(f"/clients/{alpha}/delete").status_code == 404


def test_csv_export_is_for_excel_in_the_users_language(app, login_as, make_user):
    """Russian: BOM, ``;``, Russian headers, the manager's name and the category's label (no ids or
    keys); English: ``,`` and English headers."""
    planner = make_user("planner", grants=["clients.export"], name="Ирина Петрова")
    with app.app_context():
        me = db.session().get(User, planner.id)
        created = new_client(me, name="ООО «Альфа»", manager_id=me.id).created_at
    page = login_as(planner)
    assert page.submit("/locale", {"locale": "ru"}).status_code == 302
    data = page.submit("/clients/export", {"format": "csv"}).data
    assert data.startswith("\ufeff".encode("utf-8"))
    header, row = data.decode("utf-8-sig").splitlines()[:2]
    assert header.split(";")[:4] == ["Id", "Название", "ИНН", "Регион"]
    assert "Менеджер" in header and "manager_id" not in header and "potential" not in header
    assert "ООО «Альфа»" in row.split(";") and "Ирина Петрова" in row.split(";")
    assert "potential" not in row and "потенциальный" in row.split(";")
    moscow = created.replace(tzinfo=created.tzinfo or timezone.utc).astimezone(ZoneInfo(app.config["TIMEZONE"]))
    assert moscow.strftime("%Y-%m-%d %H:%M:%S") in row.split(";")  # the firm's time, not UTC
    page.submit("/locale", {"locale": "en"})
    header = page.submit("/clients/export", {"format": "csv"}).get_data(as_text=True).splitlines()[0]
    assert header.lstrip("\ufeff").split(",")[:3] == ["Id", "Name", "Tax id"]
