"""Which xlsx reader the import uses: python-calamine against openpyxl in read-only mode.

Writes a client file of ``--rows`` rows with openpyxl's write-only mode (as the import's tests
and exports do), then reads it back with each reader in a fresh process, printing the seconds
and the peak resident memory of each. Run: ``.venv/bin/python bench/xlsx_readers.py --rows 100000``.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["Наименование", "ИНН", "Регион", "Отрасль", "Канал", "E-mail", "Телефон", "Контакт", "Должность",
          "Дата рождения"]


def write(path: Path, rows: int) -> float:
    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Клиенты")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"ООО «Клиент {i}»", str(7700000000 + i), "Москва", "Строительство", "Выставка",
                      f"client{i}@example.ru", f"+7 495 {i:07d}", f"Иван Петров {i}", "Директор", "01.02.1980"])
    book.save(path)
    return time.perf_counter() - started


def read_calamine(path: str) -> int:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    return sum(1 for _row in sheet.iter_rows())


def read_openpyxl(path: str) -> int:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def child(reader: str, path: str) -> None:
    started = time.perf_counter()
    rows = {"calamine": read_calamine, "openpyxl": read_openpyxl}[reader](path)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{reader:9} {rows:>7} rows  {seconds:6.2f} s  peak RSS {peak_mb:6.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clients.xlsx"
        seconds = write(path, args.rows)
        print(f"written   {args.rows:>7} rows  {seconds:6.2f} s  {path.stat().st_size / 1e6:.1f} MB (openpyxl write-only)")
        for reader in ("calamine", "openpyxl"):
            subprocess.run([sys.executable, __file__, "--child", reader, str(path)], check=True)


if __name__ == "__main__":
    main()
