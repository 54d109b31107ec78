"""Times filling a document template in the sandboxed worker process (cold start and warm).

    python bench/document_sandbox.py

Prints the medians: the first fill in a fresh process (starts a worker), a warm fill, and the
same template filled in-process without the worker (what the isolation costs per document).
"""
from __future__ import annotations

import statistics
import time
from datetime import date
from decimal import Decimal

from expo.core import sandbox_pool
from expo.core.document_sandbox import DocumentSandbox, fill

TEMPLATE = ("Уважаемый {{ contact.name or client.name }},\n\nнаправляем коммерческое предложение на участие в "
            "{{ exhibition.name }} ({{ exhibition.starts_on }}): {{ engagement.expected_amount }} руб.\n\n"
            "{% for i in range(20) %}Пункт {{ i + 1 }}. {{ client.name|upper }}\n{% endfor %}{{ manager.name }}")
CONTEXT = {"client": {"name": "ООО «Ромашка»"}, "contact": {"name": None},
           "exhibition": {"name": "Иннопром 2026", "starts_on": date(2026, 7, 6)},
           "engagement": {"expected_amount": Decimal("1500000.00")}, "manager": {"name": "Мария Иванова"}}


def median_ms(run, times: int) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    cold = []
    for size in range(1, 6):  # a new pool each time (another key): a worker is started
        started = time.perf_counter()
        sandbox_pool.fill(TEMPLATE, CONTEXT, timeout=3, memory_mb=256 + size, size=1)
        cold.append((time.perf_counter() - started) * 1000)
    warm = median_ms(lambda: sandbox_pool.fill(TEMPLATE, CONTEXT, timeout=3, memory_mb=257, size=1), 500)
    environment = DocumentSandbox()
    direct = median_ms(lambda: fill(environment, TEMPLATE, CONTEXT), 500)
    print(f"cold (worker start + fill): {statistics.median(cold):.0f} ms")
    print(f"warm fill in the worker:    {warm:.2f} ms")
    print(f"in-process, no worker:      {direct:.2f} ms")


if __name__ == "__main__":
    main()
