"""Dry run and commit of a big client import on PostgreSQL, with the peak memory of each.

Creates a throw-away database (dropped at the end), writes an .xlsx of ``--rows`` clients with a
contact each (openpyxl write-only; a tenth of the rows repeat or break something, as real files
do), and runs the dry run and then the commit in fresh processes, each through the import's own
path (``expo.core.imports.runs.execute``: checking, writing, the per-row verdicts). Prints the
seconds (and the CPU seconds of the Python process: on a shared machine the wall time includes the
wait for a core) and the peak resident memory of each step.

Usage: .venv/bin/python bench/import_speed.py [--rows 100000] [--admin-url postgresql+psycopg://postgres@127.0.0.1/postgres]
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

from throwaway import ADMIN_URL, throwaway_database

HEADER = ["Наименование", "ИНН", "Регион", "Отрасль", "Канал", "E-mail", "Телефон", "Контакт", "Должность",
          "Дата рождения"]


def write_file(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Клиенты")
    sheet.append(HEADER)
    for i in range(rows):
        tax = str(7700000000 + i) if i % 10 != 7 else "12345"  # one in ten: a broken tax id
        n = i - 1 if i % 10 == 9 else i  # and one in ten repeats the row before it
        sheet.append([f"ООО «Клиент {n}»", str(7700000000 + n) if i % 10 == 9 else tax, "Москва", "Строительство",
                      "Выставка", f"client{n}@example.ru", f"+7 495 {i:07d}", f"Иван Петров {n}", "Директор",
                      "01.02.1980"])
    book.save(path)


def step(url: str, instance: str, path: str, write: bool) -> None:
    """One step in this (fresh) process: the import's own code, timed."""
    from expo import create_app
    from expo.core import db
    from expo.core.imports import runs
    from expo.core.imports.fields import guess_mapping
    from expo.core.models import SYSTEM, Import
    from sqlalchemy import select

    app = create_app({"DATABASE_URL": url, "INSTANCE_DIR": instance, "IMPORTS_DIR": str(Path(path).parent),
                      "PLUGINS": "none"})
    with app.app_context():
        imp = db.session().scalar(select(Import))
        if imp is None:
            imp = Import(kind="clients", file_name="bench.xlsx", stored_name=Path(path).name,
                         file_size=Path(path).stat().st_size, mapping=guess_mapping("clients", HEADER), state="uploaded")
            db.session().add(imp)
            db.commit()
        began, cpu = time.perf_counter(), time.process_time()
        runs.execute(imp.id, write, SYSTEM)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        imp = db.session().get(Import, imp.id)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{'commit ' if write else 'dry run'} {sum(imp.counts.values()):>7} rows  {seconds:6.1f} s (Python CPU {cpu:5.1f} s)  "
              f"peak RSS {peak:5.0f} MB  {imp.state}  {imp.counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--admin-url", default=ADMIN_URL)
    parser.add_argument("--step", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        url, instance, path, write = args.step
        step(url, instance, path, write == "commit")
        return
    with throwaway_database("import", args.admin_url, PLUGINS="none") as (url, folder, _app):
        path = Path(folder) / "clients.xlsx"
        began = time.perf_counter()
        write_file(path, args.rows)
        print(f"file    {args.rows:>7} rows  {time.perf_counter() - began:6.1f} s to write, "
              f"{path.stat().st_size / 1e6:.1f} MB")
        for which in ("dry", "commit"):
            subprocess.run([sys.executable, __file__, "--step", url, folder, str(path), which], check=True)

if __name__ == "__main__":
    main()
