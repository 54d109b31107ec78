"""How long a monthly report with every section takes to render to PDF.

Usage: EXPO_DATABASE_URL=... python bench/report_speed.py [--period 2026-06] [--runs 5]
Prints the median of the SQL + HTML time and of the whole HTML + PDF time.
"""
from __future__ import annotations

import argparse
import statistics
import time

from expo import create_app
from expo.core import db
from expo.core.pdf import render_pdf
from expo.core.models import Report
from expo.core.reports.generate import render_html
from expo.core.reports.sections import available_sections


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--period", default="2026-06")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = create_app()
    with app.test_request_context():
        report = Report(id=0, title="Benchmark", period=args.period, sections=list(available_sections()), filters={})
        html_times, total_times, pages = [], [], 0
        for _ in range(args.runs):
            began = time.perf_counter()
            html = render_html(report)
            html_times.append(time.perf_counter() - began)
            pdf = render_pdf(html)
            total_times.append(time.perf_counter() - began)
            db.session().rollback()
        from io import BytesIO

        from pypdf import PdfReader

        pages = len(PdfReader(BytesIO(pdf)).pages)
    print(f"sections {', '.join(report.sections)}; {pages} pages; "
          f"SQL+HTML median {statistics.median(html_times) * 1000:.0f} ms; "
          f"HTML+PDF median {statistics.median(total_times) * 1000:.0f} ms (runs: {args.runs})")


if __name__ == "__main__":
    main()
