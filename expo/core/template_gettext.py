"""Translations in templates: ``_()``, ``ngettext()``, ``pgettext()`` read this app's catalog for
the request's (or job's) locale.

A page makes 50–100 ``_()`` calls, and each went through Jinja's call machinery, the locale's look-up
and the catalog: part of the fixed cost per request that docs/performance.md measures. So:

- the catalogs are kept per locale in a dict (Flask-Babel's own callables find the catalog through
  the request context on every call);
- ``_("literal")`` — a text without variables, most of a page's — is compiled as ``_T["literal"]``:
  a look-up in a dict of that locale's translated texts, made once per text and locale. ``_T`` is
  the request's dict (a context processor puts it into every ``render_template``); elsewhere (a
  template a macro file imports without context) it finds the locale per look-up.
"""
from __future__ import annotations

from flask import Flask
from flask_babel import get_translations
from jinja2 import TemplateRuntimeError, pass_context
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup

from expo.core.i18n import current_locale


class ConstantTexts(Extension):
    """Compiles ``_("text")`` (one string literal, nothing else) as ``_T["text"]`` in the templates
    that are autoescaped (the texts are Markup, as ``_()`` returns them there)."""

    def filter_stream(self, stream: TokenStream):
        autoescape = self.environment.autoescape
        if not (autoescape(stream.name) if callable(autoescape) else autoescape):
            return stream
        tokens = list(stream)
        out = []
        i = 0
        while i < len(tokens):
            name, paren, text, close = (tokens[i:i + 4] + [None] * 4)[:4]
            if (name.type == "name" and name.value == "_" and paren and paren.type == "lparen"
                    and text and text.type == "string" and close and close.type == "rparen"
                    and not (out and out[-1].type == "dot")):  # ``x._("…")`` is another object's method
                out += [Token(name.lineno, "name", "_T"), Token(paren.lineno, "lbracket", "["), text,
                        Token(close.lineno, "rbracket", "]")]
                i += 4
                continue
            out.append(name)
            i += 1
        return TokenStream(iter(out), stream.name, stream.filename)


class Texts(dict):
    """msgid → its translation as Markup, in one catalog (filled as the templates ask)."""

    def __init__(self, catalog):
        super().__init__()
        self.catalog = catalog

    def __missing__(self, msgid: str) -> Markup:
        text = Markup(self.catalog.ugettext(msgid))
        # Jinja's ``_()`` %-formats even without variables ("100%%" reads "100%"); so does this, once
        try:
            text = self[msgid] = text % {} if "%" in text else text
        except (KeyError, TypeError, ValueError) as problem:
            # Jinja's look-up would take these for "no such item" and show nothing: fail as _() did
            raise TemplateRuntimeError(f"the text {msgid!r} does not format without variables: {problem}") from None
        return text


class CurrentTexts:
    """``_T`` outside ``render_template``'s context: the current locale's texts, looked up each time."""

    def __init__(self, texts):
        self.texts = texts

    def __getitem__(self, msgid: str) -> Markup:
        return self.texts()[msgid]


def install(app: Flask) -> None:
    catalogs: dict = {}
    texts_by_locale: dict = {}

    def catalog():
        locale = current_locale()
        found = catalogs.get(locale)
        if found is None:
            found = catalogs[locale] = get_translations()
        return found

    def texts() -> Texts:
        locale = current_locale()
        found = texts_by_locale.get(locale)
        if found is None:
            found = texts_by_locale[locale] = Texts(catalog())
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda string: catalog().ugettext(string),
        ngettext=lambda singular, plural, n: catalog().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalog().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalog().unpgettext(context, singular, plural, n),
        newstyle=True)

    # Jinja's newstyle ``_()`` always %-formats its Markup, even without variables, and Markup's
    # ``%`` escapes through a helper object (a quarter of the cost of a call): without variables
    # and with no ``%`` in the text, formatting would change nothing, so it is skipped.
    @pass_context
    def gettext(context, string: str, **variables):
        text = catalog().ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables or "%" in text else text

    app.jinja_env.globals.update(gettext=gettext, _=gettext, _T=CurrentTexts(texts))
    app.jinja_env.add_extension(ConstantTexts)
    app.context_processor(lambda: {"_T": texts()})
