"""HTML to PDF with WeasyPrint, fetching nothing but Expo's own bundled files.

A PDF is rendered from templates that carry user text (report titles, client names, filled
document templates). Whatever that text smuggles into the HTML or CSS, WeasyPrint must not reach
out: a URL to an internal service would be a server-side request forgery, a ``file:`` URL a way
to read the server's files. So the only URLs it may load are the files Expo ships: its static
folder and the fonts the set-up installs.

A document a user's template filled can also be merely huge (a 150 000-line letter takes WeasyPrint
minutes and a gigabyte): :func:`render_pdf_isolated` lays it out in a child process with a
wall-clock and a memory limit, so the web process never pays for it.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from expo import ROOT

log = logging.getLogger(__name__)
STATIC_DIR = ROOT / "expo" / "static"
FONT_DIR = ROOT / "node_modules" / "@fontsource" / "noto-sans" / "files"
BUNDLED_DIRS = (STATIC_DIR, FONT_DIR)
_TYPES = {".woff": "font/woff", ".woff2": "font/woff2", ".css": "text/css", ".svg": "image/svg+xml",
          ".png": "image/png", ".jpg": "image/jpeg"}


def bundled_file(url: str) -> Path | None:
    """The bundled file a ``file:`` URL names, or None for anything else (other schemes, other files)."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    if path.suffix not in _TYPES or not path.is_file():
        return None
    return path if any(path.is_relative_to(folder.resolve()) for folder in BUNDLED_DIRS) else None


def static_uri(filename: str) -> str:
    """The ``file:`` URL of a file in Expo's static folder, for templates rendered to PDF."""
    return (STATIC_DIR / filename).resolve().as_uri()


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledFilesOnly(URLFetcher):
        def fetch(self, url, headers=None):
            path = bundled_file(url)
            if path is None:
                log.warning("PDF rendering refused to fetch %.200s", url)
                raise ValueError("only Expo's bundled files may be loaded")
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": _TYPES[path.suffix]})

    return BundledFilesOnly()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_fetcher()).write_pdf()


class PdfLimit(Exception):
    """An isolated rendering was stopped: ``kind`` is timeout, busy (never started) or failed (out of
    memory included)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


def _slot(size: int) -> threading.BoundedSemaphore:
    """At most ``size`` isolated renderings at once per process (per process id: a forked worker
    gets its own), so a burst of huge documents cannot start a gigabyte child per request."""
    with _slots_lock:
        key = os.getpid() * 1000 + size
        if key not in _slots:
            _slots[key] = threading.BoundedSemaphore(size)
        return _slots[key]


def render_pdf_isolated(html: str, timeout: float, memory_mb: int, concurrent: int = 2) -> bytes:
    """:func:`render_pdf` in a fresh child process (``python -I -m expo.core.pdf``): killed after
    ``timeout`` seconds, its address space capped at ``memory_mb``; at most ``concurrent`` at a
    time in this process (a caller waits up to ``timeout`` for its turn). Raises :class:`PdfLimit`
    (``busy`` when no turn came)."""
    slot = _slot(concurrent)
    if not slot.acquire(timeout=timeout):
        raise PdfLimit("busy")
    try:
        done = subprocess.run([sys.executable, "-I", "-m", "expo.core.pdf", str(memory_mb)], input=html.encode(),
                              capture_output=True, timeout=timeout, close_fds=True)
    except subprocess.TimeoutExpired:
        raise PdfLimit("timeout") from None
    finally:
        slot.release()
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF"):
        log.warning("isolated PDF rendering failed (exit %s): %.300s", done.returncode, done.stderr.decode(errors="replace"))
        raise PdfLimit("failed")
    return done.stdout


def _serve_once(memory_mb: int) -> None:
    import resource

    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    html = sys.stdin.buffer.read().decode()
    pdf = render_pdf(html)
    sys.stdout.buffer.write(pdf)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve_once(int(sys.argv[1]))
