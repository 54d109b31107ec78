"""Batches of clients, made in parallel worker processes and numbered in order.

A batch is made with its own random generator (seeded by the firm's seed and the batch's index),
so the firm is the same whatever the number of workers. Its rows carry ids counted from 1 within
the batch; once the batches before it are numbered, the batch takes the next ids of every table
and its rows are shifted onto them (ids and the foreign keys between loaded tables alike). Ids come
out contiguous, exactly as a sequential load would give them.

The workers are forked, so they share what the parent prepared (the plan, the sink's formatting)
without pickling it; each returns its batch rendered for the sink (binary COPY data on
PostgreSQL), which the parent only has to pass on. At most two batches per worker are in flight,
so memory stays bounded.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from typing import Any, Callable, Iterator

from expo.core.bulk.sinks import TABLES
from expo.core.models import Base

Rows = dict[str, list[dict]]


def _id_columns() -> dict[str, dict[str, str]]:
    """For each loaded table, the columns holding ids of loaded tables: {column: table}."""
    found = {}
    for name in TABLES:
        table = Base.metadata.tables[name]
        found[name] = {column.name: name for column in table.primary_key.columns}
        for key in table.foreign_keys:
            if key.column.table.name in TABLES:
                found[name][key.parent.name] = key.column.table.name
    return found


ID_COLUMNS = _id_columns()


def shift(rows: Rows, bases: dict[str, int]) -> None:
    """Move a batch's ids (counted from 1) past the ``bases`` rows already in each table."""
    for table, table_rows in rows.items():
        columns = [(column, bases[target]) for column, target in ID_COLUMNS[table].items() if bases[target]]
        for row in table_rows:
            for column, base in columns:
                if row[column] is not None:
                    row[column] += base


def in_order(make: Callable[[int], Rows], count: int, render: Callable[[Rows], Any],
             workers: int) -> Iterator[tuple[Any, dict[str, int]]]:
    """``render(rows)`` of batches 0..count-1, in order, with each batch's row counts."""
    if workers <= 1 or count <= 1:
        totals = dict.fromkeys(TABLES, 0)
        for index in range(count):
            rows = make(index)
            shift(rows, totals)
            sizes = {table: len(rows[table]) for table in TABLES}
            totals = {table: totals[table] + sizes[table] for table in TABLES}
            yield render(rows), sizes
        return
    context = multiprocessing.get_context("fork")
    numbering = (context.Condition(), context.Value("q", 0, lock=False), context.Array("q", len(TABLES), lock=False))
    with context.Pool(workers, initializer=_start_worker, initargs=(make, render, numbering)) as pool:
        pending: deque = deque()
        submitted = 0
        while pending or submitted < count:
            while submitted < count and len(pending) < 2 * workers:
                pending.append(pool.apply_async(_make_numbered, (submitted,)))
                submitted += 1
            yield pending.popleft().get()
        pool.close()
        pool.join()


_worker: dict[str, Any] = {}  # what a forked worker was started with


def _start_worker(make, render, numbering) -> None:
    _worker.update(make=make, render=render, numbering=numbering)


def _make_numbered(index: int) -> tuple[Any, dict[str, int]]:
    rows = _worker["make"](index)
    sizes = {table: len(rows[table]) for table in TABLES}
    condition, turn, totals = _worker["numbering"]
    with condition:  # batch ``index`` takes its ids right after batch ``index - 1``
        condition.wait_for(lambda: turn.value == index)
        bases = dict(zip(TABLES, totals))
        for i, table in enumerate(TABLES):
            totals[i] += sizes[table]
        turn.value += 1
        condition.notify_all()
    shift(rows, bases)
    return _worker["render"](rows), sizes
