"""Ready-made scenarios: the core's own plus those plugins offer (register_scenario_templates)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from expo.core.plugins import registered
from expo.core.hooktypes import ScenarioTemplate


def _exhibition_participation() -> dict:
    """contact → materials sent → presentation → commercial offer → contract, with refusal reasons."""
    refusals = [("price", _l("Refused: price too high")), ("quality", _l("Refused: quality")),
                ("timing", _l("Refused: timing")), ("no_budget", _l("Refused: no budget")),
                ("competitor", _l("Refused: chose a competitor"))]

    def refuse(*reasons):
        return [{"key": f"refused_{r}", "title": str(t), "result": f"refused_{r}"} for r, t in refusals if r in reasons]

    declined = {"key": "declined", "title": str(_l("The firm declines")), "result": "firm_declined"}
    steps = [
        {"key": "contact", "title": str(_l("Establish contact")),
         "actions": [{"title": str(_l("Call the client and find the decision maker")), "deadline_days": 2,
                      "hard": True, "escalate_to": "planner"}],
         "outcomes": [{"key": "interested", "title": str(_l("Interested")), "next": "materials"},
                      *refuse("timing", "no_budget"), declined]},
        {"key": "materials", "title": str(_l("Materials sent")),
         "actions": [{"title": str(_l("Send the exhibition materials")), "deadline_days": 1, "hard": False,
                      "document_template": str(_l(
                          "Dear {{ contact.name or client.name }},\n\nplease find the materials on "
                          "{{ exhibition.name }} ({{ exhibition.starts_on }}, {{ exhibition.venue }}).\n\n"
                          "{{ manager.name }}"))}],
         "outcomes": [{"key": "received", "title": str(_l("Materials received")), "next": "presentation"},
                      *refuse("timing", "no_budget", "competitor")]},
        {"key": "presentation", "title": str(_l("Presentation")),
         "actions": [{"title": str(_l("Hold the presentation")), "deadline_days": 7, "hard": False}],
         "outcomes": [{"key": "wants_offer", "title": str(_l("Wants an offer")), "next": "offer"},
                      *refuse("price", "quality", "timing", "no_budget", "competitor")]},
        {"key": "offer", "title": str(_l("Commercial offer")),
         "actions": [{"title": str(_l("Send the commercial offer")), "deadline_days": 3, "hard": True,
                      "escalate_to": "planner",
                      "document_template": str(_l(
                          "Commercial offer for {{ client.name }}\n\nParticipation in {{ exhibition.name }}: "
                          "{{ engagement.expected_amount }}.\n\n{{ manager.name }}"))}],
         "outcomes": [{"key": "signed", "title": str(_l("Contract signed")), "result": "contract"},
                      *refuse("price", "quality", "timing", "no_budget", "competitor")]},
    ]
    results = [{"key": "contract", "title": str(_l("Contract signed")), "kind": "won", "requires_amount": True}]
    results += [{"key": f"refused_{r}", "title": str(t), "kind": "lost", "reason": r} for r, t in refusals]
    results.append({"key": "firm_declined", "title": str(_l("The firm declined")), "kind": "declined"})
    return {"name": str(_l("Exhibition participation")), "steps": steps, "results": results}


def all_templates() -> list[ScenarioTemplate]:
    core = ScenarioTemplate("exhibition", str(_l("Exhibition participation")), _exhibition_participation())
    return [core, *registered("register_scenario_templates")]


def template(key: str) -> ScenarioTemplate | None:
    return next((t for t in all_templates() if t.key == key), None)
