"""An import in a real browser: upload an .xlsx, check the guessed mapping, run the dry run, read
its table of rows, commit, and find the clients in the list."""
from __future__ import annotations

from sqlalchemy import select

from expo.core import db
from expo.core.models import Client
from expo.testing import log_in, xlsx_bytes


def test_upload_dry_run_table_and_commit(page, live_app, tmp_path):
    path = tmp_path / "клиенты.xlsx"
    path.write_bytes(xlsx_bytes([["Наименование", "ИНН", "Регион", "E-mail"],
                                 ["ООО «Северная Звезда»", "7710000001", "Мурманск", "star@north.ru"],
                                 ["ООО «Южный Ветер»", "123", "Сочи", ""],
                                 ["Северная звезда ООО", "7710000001", "", ""]]))
    log_in(page)
    page.goto("/imports/")
    page.set_input_files("input[name=file]", str(path))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#mapping-table")
    assert page.input_value("select[name=column_2]") == "tax_id"  # guessed from "ИНН"
    page.click("#dry-run")
    page.wait_for_selector("#rows-table")
    assert page.inner_text("[data-status=new]") == "1"
    assert page.inner_text("[data-status=invalid]") == "1" and page.inner_text("[data-status=duplicate]") == "1"
    assert "Повторяет строку 2." in page.inner_text("#rows-table")
    assert "ИНН состоит из 10 или 12 цифр." in page.inner_text("#rows-table")
    with live_app.app_context():
        assert db.session().scalars(select(Client.name)).all() == []  # the dry run wrote nothing
    page.click("#commit")
    page.wait_for_selector("#skipped-file")
    assert "импортирован" in page.inner_text("#import-state")
    page.goto("/clients/")
    assert page.locator("#client-table tbody td:first-child a").all_inner_texts() == ["ООО «Северная Звезда»"]
