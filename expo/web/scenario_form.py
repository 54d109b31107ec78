"""The scenario editor's form: a whole draft definition travels in the form, server-side stateless.

Field names are paths (``steps-0-outcomes-1-title``). Each button posts the draft with an ``op``
(add / remove / move a step, action, outcome or result; validate; save); the server applies it and
renders the editor again. Without JavaScript that is a full page; with HTMX only the editor swaps.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ACTION_FIELDS = ("title", "deadline_days", "escalate_to", "instructions", "document_template")
_INDEX = re.compile(r"^(steps|results)-([0-9]{1,4})-(?:(actions|outcomes)-([0-9]{1,4})-)?(\w+)$")


def _number(value: str) -> Any:
    value = value.strip()
    return int(value) if re.fullmatch(r"[0-9]{1,6}", value) else value


def parse_draft(form: Mapping[str, str]) -> dict:
    """Rebuild the definition dict from the posted fields, in index order."""
    steps: dict[int, dict] = {}
    results: dict[int, dict] = {}
    for name, value in form.items():
        match = _INDEX.match(name)
        if not match:
            continue
        group, i, sub, j, field = match.groups()
        item = (steps if group == "steps" else results).setdefault(int(i), {})
        if sub:
            item = item.setdefault(sub, {}).setdefault(int(j), {})
        elif field in ("actions", "outcomes"):
            continue  # a list is only ever posted as its indexed fields
        item[field] = value
    draft_steps = []
    for _i, step in sorted(steps.items()):
        actions = []
        for _j, raw in sorted(step.get("actions", {}).items()):
            action = {k: raw.get(k, "") for k in ACTION_FIELDS}
            action["deadline_days"] = _number(action["deadline_days"] or "0")
            action["hard"] = raw.get("hard") == "on"
            actions.append({k: v for k, v in action.items() if v not in ("", None) or k == "title"})
        outcomes = []
        for _j, raw in sorted(step.get("outcomes", {}).items()):
            outcome = {"key": raw.get("key", "").strip(), "title": raw.get("title", "")}
            kind, _sep, target = raw.get("target", "").partition(":")
            if kind in ("next", "result") and target:
                outcome[kind] = target
            outcomes.append(outcome)
        draft_steps.append({"key": step.get("key", "").strip(), "title": step.get("title", ""),
                            "actions": actions, "outcomes": outcomes})
    draft_results = []
    for _i, raw in sorted(results.items()):
        result = {"key": raw.get("key", "").strip(), "title": raw.get("title", ""), "kind": raw.get("kind", "")}
        if raw.get("reason", "").strip():
            result["reason"] = raw["reason"].strip()
        if raw.get("requires_amount") == "on":
            result["requires_amount"] = True
        draft_results.append(result)
    return {"name": form.get("name", ""), "steps": draft_steps, "results": draft_results}


def _move(items: list, index: int, delta: int) -> None:
    target = index + delta
    if 0 <= index < len(items) and 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]


def _remove(items: list, index: int) -> None:
    if 0 <= index < len(items):
        del items[index]


def apply_op(draft: dict, op: str) -> dict:
    """Apply one editor button to the draft; unknown or out-of-range ops change nothing."""
    name, *args = op.split(":")
    try:
        numbers = [int(a) for a in args]
    except ValueError:
        return draft
    steps, results = draft["steps"], draft["results"]

    def step(i: int) -> dict | None:
        return steps[i] if 0 <= i < len(steps) else None

    if name == "add_step":
        steps.append({"key": f"step{len(steps) + 1}", "title": "", "actions": [], "outcomes": []})
    elif name == "add_result":
        results.append({"key": f"result{len(results) + 1}", "title": "", "kind": "lost"})
    elif name in ("remove_step", "up_step", "down_step") and len(numbers) == 1:
        {"remove_step": lambda i: _remove(steps, i), "up_step": lambda i: _move(steps, i, -1),
         "down_step": lambda i: _move(steps, i, 1)}[name](numbers[0])
    elif name in ("remove_result", "up_result", "down_result") and len(numbers) == 1:
        {"remove_result": lambda i: _remove(results, i), "up_result": lambda i: _move(results, i, -1),
         "down_result": lambda i: _move(results, i, 1)}[name](numbers[0])
    elif name in ("add_action", "add_outcome") and len(numbers) == 1 and step(numbers[0]) is not None:
        if name == "add_action":
            step(numbers[0])["actions"].append({"title": "", "deadline_days": 1, "hard": False})
        else:
            outcomes = step(numbers[0])["outcomes"]
            outcomes.append({"key": f"outcome{len(outcomes) + 1}", "title": ""})
    elif name in ("remove_action", "remove_outcome", "up_action", "down_action", "up_outcome", "down_outcome") \
            and len(numbers) == 2 and step(numbers[0]) is not None:
        verb, _sep, part = name.partition("_")
        items = step(numbers[0])[part + "s"]
        if verb == "remove":
            _remove(items, numbers[1])
        else:
            _move(items, numbers[1], -1 if verb == "up" else 1)
    return draft


# --- problems placed next to their fields ---------------------------------------------------------
_PATH = re.compile(r"^(steps|results)\[([0-9]+)\](?:\.(actions|outcomes)(?:\[([0-9]+)\])?)?(?:\.(\w+))?$")
_FIELD_NAMES = {"key": _l("key"), "title": _l("title"), "kind": _l("kind"), "reason": _l("reason"),
                "deadline_days": _l("days"), "instructions": _l("instructions"), "hard": _l("hard deadline"),
                "escalate_to": _l("escalation"), "document_template": _l("document template"),
                "next": _l("leads to"), "result": _l("leads to"), "requires_amount": _l("contract amount")}


@dataclass(frozen=True)
class Problem:
    """One validation problem as the editor shows it: a human place, and the field it belongs to."""

    text: str
    field: str | None  # the form field's name (``steps-4-outcomes-0-title``), or None for the whole form

    @property
    def anchor(self) -> str:
        return f"field-{self.field}" if self.field else "scenario-editor"


def _where(draft: dict, group: str, i: int, sub: str | None, j: str | None) -> str:
    items = draft.get(group) or []
    item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
    title = str(item.get("title") or item.get("key") or "").strip()
    if group == "steps":
        where = _("Step \"%(title)s\"", title=title) if title else _("Step %(n)d", n=i + 1)
    else:
        where = _("Result \"%(title)s\"", title=title) if title else _("Result %(n)d", n=i + 1)
    if sub and j is not None:
        where += " → " + (_("action %(n)d", n=int(j) + 1) if sub == "actions" else _("outcome %(n)d", n=int(j) + 1))
    return where


def place_problems(draft: dict, problems: list[str]) -> list[Problem]:
    """Turn ``steps[4].outcomes[0].title: is required`` into «Step "Presentation" → outcome 1: title: is
    required», tied to the field ``steps-4-outcomes-0-title`` so the editor can mark it."""
    placed = []
    for problem in problems:
        path, sep, message = problem.partition(": ")
        match = _PATH.match(path) if sep else None
        if path == "name" and sep:
            placed.append(Problem(f"{_('Name')}: {message}", "name"))
            continue
        if not match:
            placed.append(Problem(problem, None))
            continue
        group, i, sub, j, field = match.groups()
        where = _where(draft, group, int(i), sub, j)
        if field in _FIELD_NAMES:
            text = f"{where}: {_FIELD_NAMES[field]} — {message}"
        else:
            text = f"{where}: {message}"
        if sub == "outcomes" and j is not None and field in (None, "next", "result"):
            field = "target"  # "leads to" is one select in the form
        if field and j is not None:
            name = f"{group}-{i}-{sub}-{j}-{field}"
        elif field and not sub:
            name = f"{group}-{i}-{field}"
        elif sub and j is None:
            name = f"{group}-{i}-add_{sub[:-1]}"  # "a step needs an outcome": the add button
        else:
            name = f"{group}-{i}-title" if group == "steps" else f"{group}-{i}-key"
        placed.append(Problem(text, name))
    return placed
