"""The scenario editor's form: a whole draft definition travels in the form, server-side stateless.

Field names are paths (``steps-0-outcomes-1-title``). Each button posts the draft with an ``op``
(add / remove / move a step, action, outcome or result; validate; save); the server applies it and
renders the editor again. Without JavaScript that is a full page; with HTMX only the editor swaps.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

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
