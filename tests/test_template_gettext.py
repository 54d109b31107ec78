"""Templates' ``_("text")`` compiled as a look-up in the locale's texts (expo.core.template_gettext):
the same words as the catalog gives, in every way a template reaches them."""
from __future__ import annotations

import pytest
from flask import render_template_string
from flask_babel import force_locale


@pytest.fixture
def russian(make_app):
    app = make_app(LOCALE="ru")
    with app.test_request_context():
        yield app


def test_a_literal_text_reads_from_the_catalog(russian):
    page = render_template_string('<b>{{ _("Edit") }}</b> {{ _("Log out") }}')
    assert page == "<b>Изменить</b> Выйти"


def test_it_is_compiled_as_a_look_up_not_a_call(russian):
    source = russian.jinja_env.compile('{{ _("Edit") }} {{ _("Hello %(name)s", name=x) }}', raw=True,
                                       name="probe.html")
    assert "'Edit'" in source and "_T" in source  # the literal: a look-up in _T
    assert "'Hello %(name)s'" in source and "name=" in source  # with a variable: still the call


def test_texts_follow_the_locale_of_the_request(russian):
    with force_locale("en"):
        assert render_template_string('{{ _("Edit") }}') == "Edit"
    assert render_template_string('{{ _("Edit") }}') == "Изменить"


def test_unknown_texts_show_as_written_and_percent_signs_as_the_call_gives_them(russian):
    assert render_template_string('{{ _("Nothing like this is in the catalog") }}') == \
        "Nothing like this is in the catalog"
    assert render_template_string('{{ _("100%% sure") }}') == "100% sure"  # as Jinja's _() formats it


def test_texts_are_markup_in_html_and_escape_what_is_joined_to_them(russian):
    assert render_template_string('{{ _("Edit") ~ "<i>" }}') == "Изменить&lt;i&gt;"


def test_a_method_called_underscore_is_left_alone(russian):
    class Thing:
        def _(self, text):
            return text.upper()

    assert render_template_string('{{ thing._("Edit") }}', thing=Thing()) == "EDIT"


def test_without_the_request_context_processor_the_texts_still_follow_the_locale(russian):
    # a template rendered straight from the environment gets no context processors: _T looks the
    # locale up per text
    template = russian.jinja_env.from_string('{{ _("Edit") }}')
    assert template.render() == "Изменить"
    with force_locale("en"):
        assert template.render() == "Edit"


def test_templates_that_are_not_autoescaped_keep_the_call(russian):
    source = russian.jinja_env.compile('{{ _("Edit") }}', raw=True, name="mail.txt")
    assert "_T" not in source
    assert russian.jinja_env.from_string('{{ _("Edit") }}').render() == "Изменить"


def test_a_translation_that_does_not_format_fails_as_the_call_did(russian):
    """A translation with a stray ``%`` (or a variable where the text has none) is an error, as
    ``_()`` raised one, not an empty label (Jinja takes a look-up's KeyError for "no such item")."""
    from jinja2 import TemplateRuntimeError

    from expo.core.template_gettext import Texts

    class Catalog:
        def ugettext(self, msgid):
            return {"Sale": "Скидка 50% сегодня", "Hello": "Привет, %(name)s"}.get(msgid, msgid)

    texts = Texts(Catalog())
    for msgid in ("Sale", "Hello"):
        with pytest.raises(TemplateRuntimeError):
            render_template_string('{{ _("%s") }}' % msgid, _T=texts)
    assert render_template_string('{{ _("Edit") }}', _T=texts) == "Edit"
