"""Opening an uploaded file as a sheet: format, encoding and delimiter detected, header found,
data rows streamed.

.xlsx (and .xls / .ods) files are read with python-calamine, a Rust reader: ten times faster than
openpyxl's read-only mode on 100 000 rows (bench/xlsx_readers.py, docs/performance.md). It holds
the sheet in compact Rust memory, bounded by the upload limit; the rows become Python objects one
at a time. CSV files are streamed line by line: UTF-8, UTF-8 with BOM or cp1251 (Windows
Cyrillic, as 1C and Excel save it), or UTF-16 with its byte-order mark (Excel's "Unicode text"),
separated by ``,``, ``;`` or tabs.
"""
from __future__ import annotations

import codecs
import csv
import re

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from flask_babel import lazy_gettext as _l

from expo.core.errors import ValidationError

ZIP_MAGIC = b"PK\x03\x04"  # .xlsx, .ods
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97–2003)
SAMPLE_BYTES = 1 << 20
HEADER_SEARCH = 10  # title lines a 1C export puts above the header
DELIMITERS = (";", ",", "\t")
csv.field_size_limit(1 << 20)


def file_error(message) -> ValidationError:
    return ValidationError(message, fields={"file": str(message)})


@dataclass
class Sheet:
    format: str  # "xlsx" or "csv"
    header: list[str]  # the header row's cells as text
    header_row: int  # its number in the file (1-based)
    rows: Iterator[tuple[int, list]]  # (row number, cells) of the rows below the header
    total_rows: int  # rows below the header (blank ones included)
    encoding: str | None = None
    delimiter: str | None = None


def _header_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _blank_row(cells: list) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _find_header(numbered: Iterator[tuple[int, list]], score: Callable[[list[str]], int]):
    """The header row and the rows after it: the first of the top rows that names at least two
    known fields, else the first non-blank row."""
    seen: list[tuple[int, list]] = []
    for item in numbered:
        seen.append(item)
        if len(seen) >= HEADER_SEARCH:
            break
    candidates = [(n, cells) for n, cells in seen if not _blank_row(cells)]
    if not candidates:
        raise file_error(_l("The file has no rows."))
    chosen = next((c for c in candidates if score([_header_text(v) for v in c[1]]) >= 2), candidates[0])
    rest = seen[seen.index(chosen) + 1:]

    def data_rows():
        yield from rest
        yield from numbered

    return chosen, data_rows()


@contextmanager
def open_sheet(path: Path, score: Callable[[list[str]], int]):
    """The sheet of an uploaded file; ``score(header cells)`` counts the cells naming known fields.

    Raises a ValidationError on ``file`` for what is not a readable spreadsheet.
    """
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise file_error(_l("The file is empty."))
    if head.startswith((ZIP_MAGIC, OLE_MAGIC)):
        yield _xlsx(path, score)
        return
    with _csv(path, score) as sheet:
        yield sheet


def _xlsx(path: Path, score) -> Sheet:
    import python_calamine as calamine

    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        rows = sheet.iter_rows()
    except (calamine.CalamineError, calamine.PasswordError, calamine.XmlError, calamine.ZipError, ValueError,
            OSError, IndexError):
        raise file_error(_l("Not a spreadsheet Expo can read: save it as .xlsx or .csv.")) from None
    first = sheet.start[0] + 1 if sheet.start else 1  # calamine skips leading empty rows
    first_column = sheet.start[1] if sheet.start else 0
    unsaved = formulas_without_results(path)
    numbered = ((first + i, list(cells)) for i, cells in enumerate(rows))
    if unsaved:
        numbered = _mark_formulas(numbered, unsaved, first_column)
    (number, header), data = _find_header(numbered, score)
    return Sheet("xlsx", [_header_text(v) for v in header], number, data,
                 total_rows=sheet.height - (number - first) - 1)


FORMULA = "=formula"  # stands for a formula cell with no saved result (cells.as_text refuses it)
_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]+)")


def formulas_without_results(path: Path) -> set[tuple[int, int]]:
    """``{(row, column)}`` (1-based row, 0-based column) of the first sheet's formula cells that
    carry no saved result. calamine reads a formula by the result the writer saved with it; a
    program that writes formulas without computing them (openpyxl, scripts) leaves none, and the
    cell would read as blank — data silently lost. Only .xlsx (a zip of XML) can tell; a sheet
    without any formula costs one scan of its bytes."""
    import xml.etree.ElementTree as ElementTree
    import zipfile

    try:
        with zipfile.ZipFile(path) as book:
            name = _first_sheet_part(book)
            if name is None:
                return set()
            with book.open(name) as part:
                if not _mentions_formulas(part):
                    return set()
            found = set()
            with book.open(name) as part:
                for _event, cell in ElementTree.iterparse(part):
                    if not cell.tag.endswith("}c"):
                        continue
                    tags = {child.tag.rsplit("}", 1)[-1]: child for child in cell}
                    value = tags.get("v")
                    if "f" in tags and (value is None or not (value.text or "").strip()):
                        if ref := _CELL_REF.fullmatch(cell.get("r", "")):
                            found.add((int(ref.group(2)), _column_index(ref.group(1))))
                    cell.clear()
            return found
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError):
        return set()  # not an .xlsx (.xls, .ods) or unreadable: calamine has the last word


def _mentions_formulas(part) -> bool:
    """Whether the sheet's XML holds an ``<f>`` element, read in chunks (it can be large)."""
    tail = b""
    while chunk := part.read(1 << 20):
        if b"<f>" in tail + chunk or b"<f " in tail + chunk:
            return True
        tail = chunk[-3:]
    return False


def _first_sheet_part(book) -> str | None:
    """The zip member of the workbook's first sheet (the one calamine reads by index 0)."""
    import xml.etree.ElementTree as ElementTree

    names = set(book.namelist())
    if "xl/workbook.xml" not in names:
        return None
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheet = next((e for e in workbook.iter() if e.tag.endswith("}sheet")), None)
    if sheet is None:
        return None
    rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target") for e in rels.iter() if e.get("Id") == rel_id), None)
    if not target:
        return None
    target = target.lstrip("/")
    member = target if target.startswith("xl/") else f"xl/{target}"
    return member if member in names else None


def _column_index(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _mark_formulas(numbered, unsaved: set[tuple[int, int]], first_column: int):
    by_row: dict[int, list[int]] = {}
    for row, column in unsaved:
        by_row.setdefault(row, []).append(column - first_column)
    for number, cells in numbered:
        for column in by_row.get(number, ()):
            if 0 <= column < len(cells):
                cells[column] = FORMULA
        yield number, cells


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def looks_like_text(sample: bytes) -> bool:
    """Whether the file's first bytes can be CSV: no NUL, hardly any other control bytes (a PDF,
    an image or an archive that is not a workbook has them everywhere; cp1251 and UTF-8 text none)."""
    if b"\x00" in sample:
        return False
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control <= max(2, len(sample) // 200)  # an odd one (DOS end-of-file mark) is forgiven


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM) or cp1251 (UTF-16 is told by its byte-order mark, before this). A UTF-8 file with a few broken bytes stays UTF-8 (the
    rows holding them are reported); text where most non-ASCII bytes are not UTF-8 is cp1251."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    non_ascii = sum(1 for byte in sample if byte >= 0x80)
    if not non_ascii:
        return "utf-8"
    decoded = codecs.getincrementaldecoder("utf-8")(errors="replace").decode(sample, final=False)
    broken = decoded.count("\ufffd")
    return "cp1251" if broken * 2 > non_ascii / 2 else "utf-8"


def detect_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the sample lines into the same number (> 1) of cells most often."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        widths = Counter(len(cells) for cells in csv.reader(lines, delimiter=delimiter) if any(c.strip() for c in cells))
        width, times = widths.most_common(1)[0] if widths else (1, 0)
        score = (times, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@contextmanager
def _csv(path: Path, score):
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    # Excel's "Unicode text" is UTF-16 with a byte-order mark (its zero bytes are not binary)
    utf16 = sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and not looks_like_text(sample):
        raise file_error(_l("Not a spreadsheet Expo can read: save it as .xlsx or .csv."))
    encoding = "utf-16" if utf16 else detect_encoding(sample)
    lines = sample.decode(encoding, errors="replace").splitlines()[:50]
    delimiter = detect_delimiter(lines)
    line_count, last = 0, b"\n"
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(SAMPLE_BYTES), b""):
            line_count, last = line_count + chunk.count(b"\n"), chunk[-1:]
    if last != b"\n":
        line_count += 1  # a last line without its line break
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        numbered = ((i + 1, cells) for i, cells in enumerate(_records(reader)))
        (number, header), data = _find_header(numbered, score)
        yield Sheet("csv", [_header_text(v) for v in header], number, data,
                    total_rows=max(line_count - number, 0), encoding=encoding, delimiter=delimiter)


def _records(reader) -> Iterator[list[str]]:
    try:
        yield from reader
    except csv.Error as problem:  # an unclosed quote swallowing the rest of the file, and the like
        raise file_error(_l("The CSV file is malformed near line %(line)d: %(problem)s",
                            line=reader.line_num, problem=str(problem))) from None


def header_digest(header: list[str]) -> str:
    """A key for "a file with this header" (saved mappings), insensitive to case and spacing."""
    import hashlib

    text = "\x1f".join(cell.casefold() for cell in header)
    return hashlib.sha256(text.encode()).hexdigest()


def sample_rows(sheet: Sheet, count: int) -> list[list]:
    """The first ``count`` non-blank data rows (the mapping step shows them)."""
    found = []
    for _number, cells in sheet.rows:
        if not _blank_row(cells):
            found.append(cells)
        if len(found) == count:
            break
    return found
