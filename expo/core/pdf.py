"""HTML to PDF with WeasyPrint, fetching nothing but Expo's own bundled files.

A PDF is rendered from templates that carry user text (report titles, client names, filled
document templates). Whatever that text smuggles into the HTML or CSS, WeasyPrint must not reach
out: a URL to an internal service would be a server-side request forgery, a ``file:`` URL a way
to read the server's files. So the only URLs it may load are the files Expo ships: its static
folder and the fonts the set-up installs.
"""
from __future__ import annotations

import logging
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
