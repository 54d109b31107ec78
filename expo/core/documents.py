"""Document templates of actions (letters, offers, minutes), filled for one engagement.

Templates are written by users, so they render in Jinja's sandbox, from plain dictionaries of
the engagement's data (never ORM objects, which would reach the database). A template is plain
text: the page that shows it escapes the whole result, so no markup a user writes can run.
"""
from __future__ import annotations

from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from expo.core import clock
from expo.core.errors import ValidationError
from expo.core.models import Engagement

class _Sandbox(SandboxedEnvironment):
    """Jinja's sandbox, also refusing huge products and powers ('x' * 10**10 would eat the memory)."""

    intercepted_binops = frozenset({"*", "**"})
    MAX_SIZE = 100_000

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 100:
            raise SecurityError("the exponent is too large")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > self.MAX_SIZE:
                    raise SecurityError("the result would be too large")
        return super().call_binop(context, operator, left, right)


_env = _Sandbox(autoescape=False)


def context(engagement: Engagement) -> dict:
    client, exhibition, manager = engagement.client, engagement.exhibition, engagement.manager
    contact = client.contacts[0] if client.contacts else None
    return {
        "client": {k: getattr(client, k) for k in ("name", "tax_id", "region", "industry", "website", "email",
                                                   "phone")},
        "contact": {k: getattr(contact, k) if contact else None for k in ("name", "position", "email", "phone")},
        "exhibition": {k: getattr(exhibition, k) for k in ("name", "venue", "starts_on", "ends_on")},
        "engagement": {"expected_amount": engagement.expected_amount, "contract_amount": engagement.contract_amount,
                       "step": engagement.step},
        "manager": {"name": manager.name if manager else "", "email": manager.email if manager else ""},
        "today": clock.today(),
    }


def render_text(template: str, engagement: Engagement) -> str:
    """The filled document as plain text (its page escapes it and keeps the line breaks)."""
    try:
        return str(_env.from_string(template).render(context(engagement)))
    except Exception as problem:  # a user's template may fail in any way: say how, never a 500
        raise ValidationError(fields={"document_template": f"{type(problem).__name__}: {problem}"[:500]}) from None


def syntax_problem(template: str) -> str | None:
    """The template's syntax error, if any (checked when a scenario is saved)."""
    try:
        _env.parse(template)
    except TemplateError as problem:
        return str(problem)
    return None


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()
