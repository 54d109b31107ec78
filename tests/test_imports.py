"""Importing clients and sales from real .xlsx and .csv files: the dry run classifies every row and
writes nothing; the commit writes the new and update rows in one transaction; bad files and bad
cells are reported, never half-imported."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from expo.core import db
from expo.core.models import AuditEvent, Client, Contact, Import, Sale, User
from expo.hooks import hookimpl
from expo.testing import csv_bytes, new_client, new_contact, upload, xlsx_bytes

HEADER = ["Наименование", "ИНН", "Регион", "E-mail", "Телефон", "Контакт", "Должность", "Дата рождения"]


@pytest.fixture
def firm(app, make_user):
    planner = make_user("planner", email="p@firm.ru")
    with app.app_context():
        planner = db.session().get(User, planner.id)
        by_tax = new_client(planner, name="ООО «Ромашка»", tax_id="7701000001", region="Москва")
        by_email = new_client(planner, name="АО «Вектор»", tax_id=None, email="info@vector.ru")
        by_name = new_client(planner, name="ООО «Ёлка»", tax_id=None)
        new_contact(planner, by_tax, name="Анна Петрова")
    return {"planner": planner, "by_tax": by_tax, "by_email": by_email, "by_name": by_name}


ROWS = [
    HEADER,
    ["Ромашка", "7701000001", "Казань", "", "", "Анна Петрова", "Директор", "01.02.1980"],  # update, known contact
    ["Вектор ЗАО", "", "", "INFO@vector.ru", "+7 495 000-00-00", "", "", ""],  # update by e-mail
    ["«ЕЛКА»", "", "Тверь", "", "", "Борис", "", "1981-03-04"],  # update by normalised name
    ["ООО Новый клиент", "7701000099", "Пермь", "new@client.ru", "", "Вера", "", "05/06/1982"],  # new
    ["ООО Новый клиент", "7701000099", "Пермь", "new@client.ru", "", "Вера", "", ""],  # duplicate of row 5
    ["ООО Новый клиент", "7701000099", "", "", "", "Глеб", "", ""],  # adds a contact to row 5's client
    ["ООО Плохой", "12345", "", "not-an-email", "", "", "", "31.02.1980"],  # invalid cells
    ["ООО «Формула»", "=7701000077", "", "", "", "", "", ""],  # a formula, not a value
    [None, None, None, None, None, None, None, None],  # blank: skipped, not counted
]


def _post(api_client, content, name, **form):
    data = {"file": upload(content, name), **form}
    return api_client.post("/imports", data=data, content_type="multipart/form-data")


def _clients(app):
    with app.app_context():
        return db.session().scalar(select(func.count(Client.id)))


def test_a_dry_run_classifies_every_row_and_writes_nothing(app, api, firm):
    # CSV keeps a formula as text; in an .xlsx a formula counts by its saved result
    response = _post(api(firm["planner"]), csv_bytes(ROWS), "clients.csv")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["counts"] == {"new": 1, "update": 4, "duplicate": 1, "invalid": 2}
    by_row = {r["row"]: r for r in body["rows"]}
    assert [by_row[n]["status"] for n in range(2, 10)] == [
        "update", "update", "update", "new", "duplicate", "update", "invalid", "invalid"]
    assert by_row[2]["client_id"] == firm["by_tax"].id
    assert by_row[3]["client_id"] == firm["by_email"].id
    assert by_row[4]["client_id"] == firm["by_name"].id
    assert by_row[6]["errors"] == {"tax_id": "Repeats row 5."}
    assert set(by_row[8]["errors"]) == {"tax_id", "email", "contact_birthday"}
    assert "formula" in by_row[9]["errors"]["tax_id"]
    assert 10 not in by_row
    assert _clients(app) == 3
    with app.app_context():
        assert db.session().scalar(select(func.count(Import.id))) == 0  # not even the import's record


def test_a_commit_writes_new_and_update_rows_once_and_is_audited(app, api, firm, make_app, recorder):
    rapp = make_app(plugins=[recorder])
    rows = ROWS[:8]  # as an .xlsx, without the formula row
    response = _post(api(firm["planner"], rapp), xlsx_bytes(rows), "clients.xlsx", dry_run="false")
    assert response.status_code == 201, response.json
    assert response.json["counts"] == {"new": 1, "update": 4, "duplicate": 1, "invalid": 1}
    with app.app_context():
        session = db.session()
        created = session.scalar(select(Client).where(Client.tax_id == "7701000099"))
        assert created.name == "ООО Новый клиент" and created.region == "Пермь"
        assert sorted(c.name for c in created.contacts) == ["Вера", "Глеб"]
        assert created.contacts[0].birthday == date(1982, 6, 5)
        assert session.get(Client, firm["by_tax"].id).region == "Казань"
        assert session.get(Client, firm["by_tax"].id).name == "ООО «Ромашка»"  # the name it was matched by stays
        assert [c.name for c in session.get(Client, firm["by_tax"].id).contacts] == ["Анна Петрова"]
        assert session.get(Client, firm["by_email"].id).phone == "+7 495 000-00-00"
        elka = session.get(Client, firm["by_name"].id)
        assert elka.region == "Тверь" and elka.contacts[0].birthday == date(1981, 3, 4)
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
        assert event.user_id == firm["planner"].id and event.details["file_name"] == "clients.xlsx"
        assert event.details["counts"]["new"] == 1
    assert [c["name"] for c in recorder.of("client_created")] == ["ООО Новый клиент"]
    assert recorder.of("import_committed")[0]["counts"]["update"] == 4
    # the same file again doubles nothing
    again = _post(api(firm["planner"]), xlsx_bytes(rows), "clients.xlsx", dry_run="false").json
    assert again["counts"]["new"] == 0 and _clients(app) == 4


@pytest.mark.parametrize("encoding, delimiter", [("cp1251", ";"), ("utf-8-sig", ","), ("utf-8", "\t"),
                                                ("utf-16", "\t")])  # utf-16: Excel's "Unicode text", with its BOM
def test_csv_files_in_each_encoding_and_delimiter(app, api, firm, encoding, delimiter):
    rows = [["Название", "ИНН", "Отрасль", "Канал"],
            ["ООО «Щука и Ёж»", "7702000001", "Строительство", "Выставка"],
            ["ИП Иванов", "770200000212", "Торговля", "Сайт"]]
    response = _post(api(firm["planner"]), csv_bytes(rows, encoding, delimiter), "clients.csv", dry_run="false")
    assert response.status_code == 201, response.json
    assert response.json["counts"]["new"] == 2
    with app.app_context():
        names = set(db.session().scalars(select(Client.name).where(Client.industry.is_not(None))))
    assert names == {"ООО «Щука и Ёж»", "ИП Иванов"}


def test_bad_files_are_refused_with_a_reason(app, api, firm, make_app, make_user):
    planner = api(firm["planner"])
    # a compressed PDF stream: control bytes throughout, though no NUL in its first bytes
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" + bytes(range(1, 256)) * 20
    for content, name, message in [(b"", "empty.csv", "empty"), (b"%PDF-1.7\x00\x00binary", "a.pdf", "Not a spreadsheet"),
                                   (pdf, "b.pdf", "Not a spreadsheet"),
                                   (b"PK\x03\x04broken zip", "a.xlsx", "Not a spreadsheet")]:
        response = _post(planner, content, name)
        assert response.status_code == 422 and message in response.json["error"]["fields"]["file"], name
    small = make_app(IMPORT_MAX_MB=1)
    response = _post(api(firm["planner"], small), b"x" * (1024 * 1024 + 10), "big.csv")
    assert response.status_code == 413 and "at most 1 MB" in response.json["error"]["message"]
    response = _post(api(firm["planner"], small), b"x" * (3 * 1024 * 1024), "huge.csv")  # over the whole request limit
    assert response.status_code == 413 and response.json["error"]["code"] == "too_large"
    mapping = _post(planner, xlsx_bytes(ROWS), "a.xlsx", mapping='{"name": "Нет такой", "phone": 99}')
    assert mapping.status_code == 422 and "Нет такой" in mapping.json["error"]["fields"]["mapping"]
    assert _post(api(make_user("manager")), xlsx_bytes(ROWS), "a.xlsx").status_code == 403
    assert _clients(app) == 3


def test_titles_merged_and_repeated_headers_broken_encoding(app, api, firm):
    rows = [["Выгрузка контрагентов на 01.03.2026", None, None, None],  # a title line above the header (merged)
            [None, None, None, None],
            ["Наименование", "ИНН", "Телефон", "Телефон"],  # a repeated header: the first one maps
            ["ООО «Первый»", 7703000001, "111", "222"],  # a number cell for the tax id
            ["ООО «Второй»", 270300000, "333", ""]]  # a number cell that lost its leading zero
    response = _post(api(firm["planner"]), xlsx_bytes(rows, merged=("A1:D1",)), "t.xlsx", dry_run="false")
    assert response.status_code == 201, response.json
    with app.app_context():
        found = dict(db.session().execute(select(Client.tax_id, Client.phone).where(Client.name.like("%Первый%")
                                                                                    | Client.name.like("%Второй%"))).all())
    assert found == {"7703000001": "111", "0270300000": "333"}
    broken = "Наименование;ИНН\r\nООО «Целый»;7704000001\r\n".encode() + "ООО «Бит".encode() + b"\xff\xfe;7704000002\r\n"
    body = _post(api(firm["planner"]), broken, "b.csv").json
    assert body["counts"] == {"new": 1, "update": 0, "duplicate": 0, "invalid": 1}
    assert "encoding" in body["rows"][1]["errors"]["name"]


class FailsOnThird:
    def __init__(self):
        self.seen = 0

    @hookimpl
    def client_created(self, client, user):
        self.seen += 1
        if self.seen == 3:
            raise RuntimeError("the third client breaks")


def test_a_failure_part_way_writes_nothing(app, api, firm, make_app):
    rows = [["Наименование", "ИНН"]] + [[f"ООО «Клиент {i}»", f"77050000{i:02d}"] for i in range(5)]
    failing = make_app(plugins=[FailsOnThird()])
    response = _post(api(firm["planner"], failing), xlsx_bytes(rows), "f.xlsx", dry_run="false")
    assert response.status_code == 422 and "nothing was written" in response.json["error"]["message"]
    assert _clients(app) == 3
    with app.app_context():
        imp = db.session().scalar(select(Import))
        assert imp.state == "failed" and db.session().scalar(select(func.count(Contact.id))) == 1


def test_sales_import_understands_dates_and_amounts(app, api, firm):
    rows = [["Клиент", "ИНН", "Дата", "Сумма", "Маржа", "Номер"],
            ["Ромашка", "7701000001", "01.02.2026", "1 234 567,89", "-100,50", "A-1"],
            ["", "7701000001", "2026-03-01", "1,234,567.89", "", ""],
            ["АО Вектор", "", "15/03/2026", "1500 руб.", "", ""],
            ["АО Вектор", "", "15/03/2026", "1500", "", ""],  # repeats row 4
            ["Неизвестный", "", "01.01.2026", "10", "", ""],
            ["Ромашка", "7701000001", "32.01.2026", "abc", "", ""]]
    response = _post(api(firm["planner"]), xlsx_bytes(rows), "s.xlsx", kind="sales", dry_run="false")
    assert response.status_code == 201, response.json
    assert response.json["counts"] == {"new": 3, "update": 0, "duplicate": 1, "invalid": 2}
    by_row = {r["row"]: r for r in response.json["rows"]}
    assert by_row[6]["errors"] == {"client": "No such client."}
    assert set(by_row[7]["errors"]) == {"sold_on", "amount"}
    with app.app_context():
        sales = db.session().execute(select(Sale.sold_on, Sale.amount, Sale.margin).order_by(Sale.sold_on)).all()
    assert sales == [(date(2026, 2, 1), Decimal("1234567.89"), Decimal("-100.50")),
                     (date(2026, 3, 1), Decimal("1234567.89"), None), (date(2026, 3, 15), Decimal("1500.00"), None)]
    again = _post(api(firm["planner"]), xlsx_bytes(rows[:4]), "s.xlsx", kind="sales").json
    assert again["counts"]["duplicate"] == 3 and again["rows"][0]["errors"]["sold_on"] == "Already recorded."


def test_a_row_naming_an_earlier_rows_client_by_another_key_is_a_repeat(app, api, firm):
    rows = [HEADER,
            ["ООО «Альфа»", "", "", "a@alfa.ru", "", "", "", ""],
            ["ООО «Альфа»", "7701000055", "", "a@alfa.ru", "", "", "", ""],  # the same company, now with its tax id
            ["Альфа", "7701000055", "", "", "", "", "", ""],  # the tax id row 3 brought: still row 2's client
            ["ООО «Альфа»", "7701000066", "", "", "", "", "", ""]]  # another tax id: another company
    body = _post(api(firm["planner"]), csv_bytes(rows), "a.csv").json
    assert [(r["row"], r["status"]) for r in body["rows"]] == [(2, "new"), (3, "duplicate"), (4, "duplicate"),
                                                               (5, "new")]
    assert body["rows"][1]["errors"] == {"email": "Repeats row 2."}
    assert body["rows"][2]["errors"] == {"tax_id": "Repeats row 2."}


def test_an_xlsx_formula_without_a_saved_result_is_reported_not_read_as_blank(app, api, firm):
    rows = [["Наименование", "ИНН", "Регион"],
            ["ООО «Формула»", "=CONCAT(\"77\",\"01000088\")", "Москва"],  # openpyxl saves no result
            ["ООО «Число»", "7701000089", "=UPPER(\"тверь\")"]]
    body = _post(api(firm["planner"]), xlsx_bytes(rows), "f.xlsx").json
    by_row = {r["row"]: r for r in body["rows"]}
    assert by_row[2]["status"] == by_row[3]["status"] == "invalid"
    assert "formula" in by_row[2]["errors"]["tax_id"] and "formula" in by_row[3]["errors"]["region"]


def test_a_typed_amount_with_more_than_two_decimals_is_refused(app, api, firm):
    rows = [["Клиент", "ИНН", "Дата", "Сумма"],
            ["Ромашка", "7701000001", "01.02.2026", "12,345"],  # thousands or 12.345? not guessed
            ["Ромашка", "7701000001", "02.02.2026", 1234.5678],  # a number cell: the sheet's own value, rounded
            ["Ромашка", "7701000001", "03.02.2026", 1000.125]]  # … half up, as Excel shows it
    body = _post(api(firm["planner"]), xlsx_bytes(rows), "s.xlsx", kind="sales").json
    by_row = {r["row"]: r for r in body["rows"]}
    assert "two decimal" in by_row[2]["errors"]["amount"] and by_row[3]["status"] == by_row[4]["status"] == "new"
    with app.app_context():
        from expo.core.imports.cells import as_amount

        assert as_amount(1000.125) == Decimal("1000.13") and as_amount(1234.5678) == Decimal("1234.57")


def test_a_file_with_too_many_rows_is_refused_before_it_is_read(app, api, firm, make_app):
    small = make_app(IMPORT_MAX_ROWS=3)
    rows = [["Название", "ИНН"]] + [[f"ООО «Клиент {i}»", f"77080000{i:02d}"] for i in range(4)]
    response = _post(api(firm["planner"], small), xlsx_bytes(rows), "many.xlsx")
    assert response.status_code == 422 and "At most 3 rows" in response.json["error"]["fields"]["file"]
    assert _post(api(firm["planner"], small), xlsx_bytes(rows[:4]), "ok.xlsx").status_code == 200


def test_a_csv_counts_its_rows_whether_or_not_it_ends_with_a_line_break(app, login_as, firm):
    page = login_as(firm["planner"])
    for content in (b"Name,Tax ID\r\nA,7708000001\r\nB,7708000002\r\n", b"Name,Tax ID\nA,7708000001\nB,7708000002"):
        response = page.submit("/imports/", {"kind": "clients", "file": upload(content, "two.csv")},
                               content_type="multipart/form-data")
        with app.app_context():
            latest = db.session().scalars(select(Import).order_by(Import.id.desc())).first()
        assert response.status_code == 302 and latest.total_rows == 2
