"""PDFs fetch nothing but Expo's own files, and user text never lands in their CSS (issue 8, item 1)."""
from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from pypdf import PdfReader

from expo.core.pdf import bundled_file, render_pdf, static_uri


@pytest.fixture
def listener():
    """A local HTTP server that records every request it gets (an SSRF target)."""
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_reviewers_report_title_is_refused(api, make_user, listener):
    url, hits = listener
    title = f'x\n}} html{{background:url({url}/x)}} @page{{@top-left{{content:a"'
    response = api(make_user("viewer")).post("/reports", json={"sections": ["summary"], "period": "2026-11",
                                                               "title": title})
    assert response.status_code == 422 and "title" in response.json["error"]["fields"]
    assert hits == []


@pytest.mark.parametrize("title", ["a\nb", "a\rb", "form\x0cfeed", "bell\x07"])
def test_report_titles_are_one_line(api, make_user, title):
    response = api(make_user("planner")).post("/reports", json={"sections": ["summary"], "period": "2026-11",
                                                                "title": title})
    assert response.status_code == 422


def test_a_title_full_of_css_is_printed_as_text_and_fetches_nothing(api, make_user, listener):
    url, hits = listener
    title = f'}} html{{background:url({url}/t)}} @import "{url}/i"; «Итоги»'
    as_planner = api(make_user("planner"))
    report_id = as_planner.post("/reports", json={"sections": ["summary"], "period": "2026-11",
                                                  "title": title}).json["id"]
    pdf = as_planner.get(f"/reports/{report_id}/pdf")
    assert pdf.status_code == 200
    text = _text(pdf.data)
    assert text.count("«Итоги»") >= 2  # the heading and the page margin, as plain text
    assert hits == []


def test_weasyprint_loads_bundled_files_only(listener, tmp_path):
    url, hits = listener
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f"""<html><head><link rel="stylesheet" href="{url}/style.css">
      <link rel="stylesheet" href="{secret.as_uri()}">
      <link rel="stylesheet" href="{static_uri('css/document.css')}">
      <style>@import url("{url}/import.css"); body {{ background: url("{url}/bg.png") }}</style></head>
      <body><img src="{url}/img.png"><img src="file:///etc/passwd"><p>Документ</p></body></html>"""
    assert "Документ" in _text(render_pdf(html))
    assert hits == []


def test_only_files_under_the_bundled_folders_are_served():
    assert bundled_file(static_uri("css/document.css")) is not None
    assert bundled_file(static_uri("../../pyproject.toml")) is None  # climbing out
    assert bundled_file("file:///etc/passwd") is None
    assert bundled_file("http://127.0.0.1/x.css") is None
