"""Writing spreadsheets people open in Excel: CSV (UTF-8 with BOM, ``;``, as Russian Excel expects)
and .xlsx (openpyxl's write-only mode, streamed to a temporary file).

Every text cell goes through :func:`safe_cell`: text that starts like a formula (``=``, ``+``,
``-``, ``@``, tab, carriage return) gets a leading apostrophe, so opening an export never runs
what a client's name smuggled in (CSV injection).
"""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value to write: numbers, Decimals and dates as they are, text escaped if formula-like."""
    if value is None:
        return ""
    if isinstance(value, (int, Decimal, date, datetime)) and not isinstance(value, bool):
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(rows: Iterable[Iterable[Any]], delimiter: str = ";") -> Iterator[str]:
    """The CSV text in chunks (a BOM first), for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    yield "\ufeff"
    for i, row in enumerate(rows, start=1):
        writer.writerow([safe_cell(value) for value in row])
        if i % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(rows: Iterable[Iterable[Any]], title: str = "Sheet") -> tempfile.SpooledTemporaryFile:
    """An .xlsx of ``rows`` in a temporary file (rewound), written row by row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    book.save(out)
    out.seek(0)
    return out
