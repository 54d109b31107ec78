"""Document templates of actions (letters, offers, minutes), filled for one engagement.

Templates are written by users, so they render in a bounded Jinja sandbox inside a worker process
(:mod:`expo.core.document_sandbox`, :mod:`expo.core.sandbox_pool`), from plain dictionaries of
the engagement's data (never ORM objects, which would reach the database). A template is plain
text: the page that shows it escapes the whole result, so no markup a user writes can run.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import format_date, lazy_gettext as _l
from jinja2 import TemplateError

from expo.core import clock, sandbox_pool
from expo.core.document_sandbox import MAX_OUTPUT, DocumentSandbox
from expo.core.errors import Busy, ValidationError
from expo.core.i18n import money
from expo.core.models import Engagement

_env = DocumentSandbox()  # for syntax checks only: templates are filled in a worker process


def _day(value) -> str:
    return format_date(value, "long") if value else ""


def context(engagement: Engagement) -> dict:
    """What a template sees. Dates and amounts come pre-formatted in the UI's locale («2 октября
    2026 г.», «2 359 000,00 ₽»): a letter shows them as people write them, and the worker process
    that fills the template needs no Babel (nor anything a template could reach beyond strings)."""
    client, exhibition, manager = engagement.client, engagement.exhibition, engagement.manager
    contact = client.contacts[0] if client.contacts else None
    return {
        "client": {k: getattr(client, k) for k in ("name", "tax_id", "region", "industry", "website", "email",
                                                   "phone")},
        "contact": {k: getattr(contact, k) if contact else None for k in ("name", "position", "email", "phone")},
        "exhibition": {"name": exhibition.name, "venue": exhibition.venue,
                       "starts_on": _day(exhibition.starts_on), "ends_on": _day(exhibition.ends_on)},
        "engagement": {"expected_amount": money(engagement.expected_amount),
                       "contract_amount": money(engagement.contract_amount), "step": engagement.step},
        "manager": {"name": manager.name if manager else "", "email": manager.email if manager else ""},
        "today": _day(clock.today()),
    }


def render_text(template: str, engagement: Engagement) -> str:
    """The filled document as plain text (its page escapes it and keeps the line breaks).

    Filled in a sandboxed worker process with a wall-clock and a memory limit; every way a
    template can fail or overstep is a 422 naming the field.
    """
    config = current_app.config
    try:
        return sandbox_pool.fill(template, context(engagement), timeout=config["DOCUMENT_TIMEOUT"],
                                 memory_mb=config["DOCUMENT_MEMORY_MB"], size=config["DOCUMENT_WORKERS"])
    except sandbox_pool.TemplateLimit as stopped:
        if stopped.kind == "busy":
            raise Busy() from None
        raise ValidationError(fields={"document_template": str(_why(stopped))}) from None


def _why(stopped: sandbox_pool.TemplateLimit):
    config = current_app.config
    if stopped.kind == "timeout":
        return _l("The template took longer than %(n)d s to fill.", n=config["DOCUMENT_TIMEOUT"])
    if stopped.kind == "memory":
        return _l("The template needs more than %(n)d MB of memory.", n=config["DOCUMENT_MEMORY_MB"])
    if stopped.kind == "output":
        return _l("The filled document would be longer than %(n)d characters.", n=MAX_OUTPUT)
    if stopped.kind == "limit":
        return _l("The template oversteps a limit: %(detail)s.", detail=stopped.detail)
    return stopped.detail


def syntax_problem(template: str) -> str | None:
    """The template's syntax error, if any (checked when a scenario is saved)."""
    try:
        _env.parse(template)
    except TemplateError as problem:
        return str(problem)
    except (RecursionError, MemoryError, ValueError):  # absurd nesting, a 5000-digit literal
        return str(_l("The template is too deeply nested or too large."))
    return None
