"""Real spreadsheet files built in a test: ``xlsx_bytes(rows)``, ``csv_bytes(rows, encoding, delimiter)``.

Cells may be text, numbers, dates or ``None``; a text cell starting with ``=`` is written to the
.xlsx as a formula (with no cached result, as openpyxl leaves it).
"""
from __future__ import annotations

import csv
import io


def xlsx_bytes(rows, merged: tuple[str, ...] = ()) -> bytes:
    """An .xlsx with ``rows`` on its first sheet; ``merged`` ranges (``"A1:B1"``) are merged."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for cells in merged:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV file; ``encoding="utf-8-sig"`` writes the BOM Excel puts there, ``"cp1251"`` is 1C's."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def upload(content: bytes, name: str):
    """A multipart file value for the Flask test client: ``data={"file": upload(b, "a.xlsx")}``."""
    return (io.BytesIO(content), name)
