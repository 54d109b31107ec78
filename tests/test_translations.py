"""Every user-visible string has a Russian translation (Russian is the default interface).

The core's strings are in ``expo/translations``; each bundled plugin keeps its own catalog in
``<package>/translations`` (merged into the core's at start-up), so a plugin installed alone
still speaks Russian.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from expo import ROOT

KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
CORE = (ROOT, [("expo/**.py", "python"), ("templates/**.html", "jinja2")], ROOT / "expo" / "translations")
PLUGINS = [(package, [("**.py", "python"), ("templates/**.html", "jinja2")], package / "translations")
           for package in sorted(ROOT.glob("plugins/*/expo_*")) if package.is_dir()]


def _source_messages(root: Path, methods) -> set[str]:
    found = set()

    # Babel skips folders starting with "_" by default; templates/_partials must be read too.
    def wanted(path: str) -> bool:
        return not Path(path).name.startswith(".") and Path(path).name not in ("node_modules", "instance", "tests")

    for _file, _line, message, _comments, _context in extract_from_dir(
            str(root), methods, keywords=KEYWORDS, directory_filter=wanted):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _translated(catalog_dir: Path) -> set[str]:
    path = catalog_dir / "ru" / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return set()
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and m.string and not m.fuzzy}


@pytest.mark.parametrize("root, methods, catalog_dir", [CORE, *PLUGINS],
                         ids=["core", *[package.name for package, _methods, _dir in PLUGINS]])
def test_every_message_has_a_russian_translation(root, methods, catalog_dir):
    missing = sorted(_source_messages(root, methods) - _translated(catalog_dir))
    assert missing == [], f"translate into {catalog_dir}/ru/LC_MESSAGES/messages.po: see expo/translations/README.md"


def _wordings(catalog_dir: Path) -> dict[str, str]:
    with (catalog_dir / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle) if isinstance(m.id, str) and m.id and not m.context}


@pytest.mark.parametrize("catalog_dir", [d for _root, _methods, d in PLUGINS if (d / "ru").is_dir()],
                         ids=lambda d: d.parent.name)
def test_a_plugin_does_not_reword_the_cores_messages(catalog_dir):
    """A plugin's catalog is merged into the core's, so its translation of a message the core has
    too replaces the core's on every page (with the funnel on, the card's state "won" read
    «выигранные», a column title's plural): the same words, or a context of the plugin's own."""
    core, plugin = _wordings(CORE[2]), _wordings(catalog_dir)
    reworded = sorted((message, core[message], text) for message, text in plugin.items()
                      if message in core and text != core[message])
    assert reworded == [], "keep the core's translation, or give the plugin's meaning a context (pgettext)"


CATALOGS = sorted(path for path in ROOT.glob("**/translations/ru/LC_MESSAGES/messages.po")
                  if ".venv" not in path.parts and "node_modules" not in path.parts)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_catalog_is_marked_fuzzy(path):
    """pybabel compile skips a catalog whose header is fuzzy: every string of it would stay English."""
    with path.open("rb") as handle:
        assert not read_po(handle).fuzzy, f"remove '#, fuzzy' from the header of {path}"


def test_plugin_pages_speak_russian(make_app, make_user, login_as):
    """Each bundled plugin's catalog is compiled and merged: its nav label and page come out Russian."""
    app = make_app(LOCALE="ru")
    page = login_as(make_user("planner"), app)
    home = page.get("/").get_data(as_text=True)
    assert "Сегменты" in home and "Правила рейтинга" in home
    assert "Сегменты" in page.get("/segments/").get_data(as_text=True)


# --- Rendered pages ------------------------------------------------------------------------------
# The catalog test above proves each msgid has a translation; these prove the Russian pages use
# them: a msgid the catalog translates must never be shown as is (a string rendered without _(), or
# a lazy string evaluated too early), and a few common English words must not appear at all.

ENGLISH_WORDS = ("Save", "Delete", "Cancel", "Next", "Previous", "Edit", "Search", "Back", "Submit",
                 "Log out", "Clients", "Exhibitions", "Tasks", "Reports", "Name", "Phone")
RUSSIAN_PAGES = {"home": "/", "clients": "/clients/", "client card": "/clients/{client}",
                 "engagement": "/engagements/{engagement}", "exhibitions": "/exhibitions/",
                 "exhibition board": "/exhibitions/{exhibition}", "my tasks": "/tasks", "scenarios": "/scenarios/",
                 "scenario": "/scenarios/{scenario}", "reports": "/reports/", "admin users": "/admin/users",
                 "audit": "/admin/audit"}


class _ShownText(HTMLParser):
    """The texts a person sees or hears: text nodes outside script/style, and the placeholder,
    title, aria-label and button value attributes. ``<code>`` is left out: a scenario's page shows
    each step's key as code beside its title, for the planner who writes them."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "code"):
            self._hidden += 1
        for name, value in attrs:
            if value and (name in ("placeholder", "title", "aria-label", "alt")
                          or (name == "value" and tag == "input" and dict(attrs).get("type") == "submit")):
                self.texts.append(value.strip())

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def shown_texts(html: str) -> list[str]:
    parser = _ShownText()
    parser.feed(html)
    return parser.texts


def untranslated(texts: list[str], translated: dict[str, str]) -> list[str]:
    """The texts that are a catalog msgid shown as is (where its Russian differs), or carry one of
    the common English words."""
    found = [t for t in texts if t in translated and translated[t] != t]
    words = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in ENGLISH_WORDS) + r")\b")
    found += [t for t in texts if words.search(t)]
    return found


def test_the_check_finds_english_on_a_page():
    """The checker itself can fail: an untranslated msgid and a stray English button are caught."""
    html = ("<h1>Клиенты</h1><button>Save</button><p>Expected amount</p><script>var Save = 1</script>"
            "<input placeholder='Поиск'>")
    assert untranslated(shown_texts(html), {"Expected amount": "Ожидаемая сумма"}) == ["Expected amount", "Save"]


@pytest.fixture
def russian_firm(make_app, make_user, login_as):
    from expo.testing import new_client, new_contact, new_engagement, new_exhibition, new_scenario

    app = make_app(LOCALE="ru")
    admin = make_user("admin", email="a@firm.ru", name="Анна Админова")
    planner = make_user("planner", email="p@firm.ru", name="Пётр Планов")
    with app.test_request_context():
        # The built-in template, as a Russian firm creates it: the example of DESIGN.md is English data.
        from expo.core.scenarios.templates import template
        scenario = new_scenario(planner, template("exhibition").definition)
        client = new_client(planner, name="ООО «Перевод»", manager_id=planner.id, phone="+7 495 123-45-67",
                            email="office@perevod.ru")
        new_contact(planner, client, phone="+7 916 000-11-22", email="anna@perevod.ru")
        show = new_exhibition(planner)
        engagement = new_engagement(planner, client, show, scenario_id=scenario.id, expected_amount="150000")
        ids = {"client": client.id, "exhibition": show.id, "engagement": engagement.id, "scenario": scenario.id}
    return login_as(admin, app), ids


def test_the_main_pages_show_no_english_in_russian(russian_firm):
    page, ids = russian_firm
    translated = {}
    with (ROOT / "expo" / "translations" / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        for message in read_po(handle):
            if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                translated[message.id] = message.string
    found = {}
    for name, url in RUSSIAN_PAGES.items():
        response = page.get(url.format(**ids))
        assert response.status_code == 200, f"{name}: {url} answered {response.status_code}"
        texts = untranslated(shown_texts(response.get_data(as_text=True)), translated)
        if texts:
            found[name] = texts
    assert not found, "English on Russian pages:\n" + "\n".join(f"{name}: {texts}" for name, texts in found.items())
