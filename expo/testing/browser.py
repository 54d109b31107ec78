"""A live Expo server on loopback and a real Chromium driven by Playwright.

Chromium comes from the system (Debian's ``chromium``; ``.ci/run`` installs it), set by
``EXPO_TEST_CHROMIUM`` (default ``/usr/bin/chromium``). Without it browser tests are skipped
with the reason, except under CI, where that fails.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from expo import create_app
from expo.core import db
from expo.core.migrate import upgrade
from expo.core.models import User
from expo.core.services.users import hash_password
from expo.testing.fixtures import PASSWORD

CHROMIUM = os.environ.get("EXPO_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def live_app(tmp_path, request):
    """A Russian-language app on its own SQLite file, with the planner p@firm.ru (Пётр Планов).

    Honours ``@pytest.mark.plugins("…")`` like ``app`` does.
    """
    marker = request.node.get_closest_marker("plugins")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'browser.sqlite3'}", "INSTANCE_DIR": str(tmp_path),
                      "LOCALE": "ru", "PLUGINS": marker.args[0] if marker else "all"})
    upgrade(app)
    with app.app_context():
        db.session().add(User(email="p@firm.ru", name="Пётр Планов", role="planner",
                              password_hash=hash_password(PASSWORD), active=True))
        db.commit()
    return app


@pytest.fixture
def live_server(live_app):
    """The base URL of ``live_app`` served on a free loopback port for the test."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    live_app.extensions["expo.engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required under CI: {CHROMIUM} not found")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A Playwright page in a fresh Russian-locale context, its base URL the live server."""
    context = browser.new_context(base_url=live_server, locale="ru-RU", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def log_in(page, email="p@firm.ru"):
    """Log the browser page in through the login form."""
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/")



AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe(page) -> list[dict]:
    """The page's serious and critical accessibility violations, by axe-core (a dev dependency:
    ``npm ci``), each as axe reports it (``id``, ``impact``, ``help``, ``nodes``)."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: {AXE} (run npm ci)")
    # panels that load themselves (hx-trigger="load") are dimmed while loading: judge the settled page
    page.wait_for_load_state("networkidle")
    page.wait_for_function("!document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")
    page.wait_for_timeout(250)  # the .htmx-request opacity transition
    # evaluated through the DevTools protocol: the app's CSP (script-src 'self') refuses an injected tag
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;true")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def describe_violations(violations: list[dict]) -> str:
    """Violations as lines a failing test prints: rule, impact, help and the offending elements."""
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']}\n    "
                     + "\n    ".join(" ".join(n["target"]) + "  " + n["html"][:160] for n in v["nodes"][:8])
                     for v in violations)


def screenshot(page, name: str) -> None:
    """Save the page as ``<name>-desktop.png`` (1366×768) and ``<name>-phone.png`` (390×844).

    Only when ``EXPO_SCREENSHOTS`` names a folder (the README's pictures:
    ``EXPO_SCREENSHOTS=docs/screenshots pytest tests/browser``); a plain test run writes nothing.
    The page is left at the desktop size.
    """
    folder = os.environ.get("EXPO_SCREENSHOTS")
    if not folder:
        return
    os.makedirs(folder, exist_ok=True)
    for suffix, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(100)  # let media queries re-lay out the page
        page.screenshot(path=os.path.join(folder, f"{name}-{suffix}.png"), full_page=suffix == "desktop")
