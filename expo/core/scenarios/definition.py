"""The scenario definition format (DESIGN.md) and its validation.

``validate`` lists *every* problem with a path to it, so an editor or an API client can fix
them all at once: empty scenario, repeated keys, outcomes that lead nowhere (or both to a step
and a result), steps that can reach no result or that no path from the first step reaches,
unknown result kinds, bad action fields.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from expo.core.documents import syntax_problem
from expo.core.models import ESCALATION_ROLES, RESULT_KINDS
from expo.core.validation import CONTROL_CHARACTERS

KEY_MAX, TITLE_MAX, TEXT_MAX = 100, 200, 20_000
MAX_DEADLINE_DAYS = 3650


def _problem(path: str, message) -> str:
    return f"{path}: {message}" if path else str(message)


def _text(value: Any, path: str, problems: list[str], required: bool = True, limit: int = TITLE_MAX) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(_problem(path, _l("is required")))
        return
    if not isinstance(value, str):
        problems.append(_problem(path, _l("must be text")))
    elif CONTROL_CHARACTERS.search(value.replace("\n", "").replace("\r", "").replace("\t", "")):
        problems.append(_problem(path, _l("contains control characters")))
    elif len(value) > limit:
        problems.append(_problem(path, _l("is longer than %(n)d characters", n=limit)))


def _key(value: Any, path: str, problems: list[str]) -> bool:
    if not isinstance(value, str) or not value.strip():
        problems.append(_problem(path, _l("a key is required")))
        return False
    if len(value) > KEY_MAX or not all(c.isalnum() or c in "_-" for c in value):
        problems.append(_problem(path, _l("a key has only letters, digits, '_' and '-' (at most %(n)d)", n=KEY_MAX)))
        return False
    return True


def _unique_key(value: Any, path: str, seen: set[str], problems: list[str]) -> None:
    """A well-formed key not used before among its siblings (``seen`` collects them)."""
    if _key(value, path, problems):
        if value in seen:
            problems.append(_problem(path, _l("repeats the key '%(key)s'", key=value)))
        seen.add(value)


def _list(definition: dict, name: str, problems: list[str]) -> list:
    value = definition.get(name, [])
    if not isinstance(value, list):
        problems.append(_problem(name, _l("must be a list")))
        return []
    return value


def _check_action(action: Any, path: str, problems: list[str]) -> None:
    if not isinstance(action, dict):
        problems.append(_problem(path, _l("must be an object")))
        return
    _text(action.get("title"), f"{path}.title", problems)
    _text(action.get("instructions"), f"{path}.instructions", problems, required=False, limit=TEXT_MAX)
    template = action.get("document_template")
    _text(template, f"{path}.document_template", problems, required=False, limit=TEXT_MAX)
    if isinstance(template, str) and template and (error := syntax_problem(template)):
        problems.append(_problem(f"{path}.document_template", _l("template error: %(error)s", error=error)))
    days = action.get("deadline_days", 0)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= MAX_DEADLINE_DAYS:
        problems.append(_problem(f"{path}.deadline_days", _l("must be a whole number of days from 0 to %(n)d",
                                                             n=MAX_DEADLINE_DAYS)))
    if not isinstance(action.get("hard", False), bool):
        problems.append(_problem(f"{path}.hard", _l("must be true or false")))
    escalate = action.get("escalate_to")
    if escalate is not None and escalate not in ESCALATION_ROLES:
        problems.append(_problem(f"{path}.escalate_to", _l("must be one of: %(options)s",
                                                           options=", ".join(ESCALATION_ROLES))))


def validate(definition: Any) -> list[str]:
    """Every problem of a definition, each prefixed with where it is (``steps[1].outcomes[0].next``)."""
    if not isinstance(definition, dict):
        return [str(_l("A scenario definition must be a JSON object."))]
    problems: list[str] = []
    _text(definition.get("name"), "name", problems)
    steps, results = _list(definition, "steps", problems), _list(definition, "results", problems)
    if not steps:
        problems.append(str(_l("A scenario needs at least one step.")))
    if not results:
        problems.append(str(_l("A scenario needs at least one result.")))

    result_keys: set[str] = set()
    for i, result in enumerate(results):
        path = f"results[{i}]"
        if not isinstance(result, dict):
            problems.append(_problem(path, _l("must be an object")))
            continue
        _unique_key(result.get("key"), f"{path}.key", result_keys, problems)
        _text(result.get("title"), f"{path}.title", problems)
        if result.get("kind") not in RESULT_KINDS:
            problems.append(_problem(f"{path}.kind", _l("unknown result kind; use one of: %(options)s",
                                                        options=", ".join(RESULT_KINDS))))
        _text(result.get("reason"), f"{path}.reason", problems, required=False, limit=KEY_MAX)
        if not isinstance(result.get("requires_amount", False), bool):
            problems.append(_problem(f"{path}.requires_amount", _l("must be true or false")))

    step_keys: list[str] = []
    for step in steps:
        if isinstance(step, dict) and isinstance(step.get("key"), str):
            step_keys.append(step["key"])
    edges: dict[str, set[str]] = {}  # step key -> next step keys
    ends: set[str] = set()  # steps with an outcome leading to a result
    seen_steps: set[str] = set()
    broken_link = False  # an outcome leads to a missing step, or its target is unclear
    for i, step in enumerate(steps):
        path = f"steps[{i}]"
        if not isinstance(step, dict):
            problems.append(_problem(path, _l("must be an object")))
            continue
        key = step.get("key")
        _unique_key(key, f"{path}.key", seen_steps, problems)
        _text(step.get("title"), f"{path}.title", problems)
        for j, action in enumerate(_list(step, "actions", problems)):
            _check_action(action, f"{path}.actions[{j}]", problems)
        outcomes = _list(step, "outcomes", problems)
        if not outcomes:
            problems.append(_problem(f"{path}.outcomes", _l("a step needs at least one outcome")))
        outcome_keys: set[str] = set()
        for j, outcome in enumerate(outcomes):
            opath = f"{path}.outcomes[{j}]"
            if not isinstance(outcome, dict):
                problems.append(_problem(opath, _l("must be an object")))
                continue
            _unique_key(outcome.get("key"), f"{opath}.key", outcome_keys, problems)
            _text(outcome.get("title"), f"{opath}.title", problems)
            target, result = outcome.get("next"), outcome.get("result")
            if any(value is not None and not isinstance(value, str) for value in (target, result)):
                problems.append(_problem(opath, _l("'next' and 'result' must be keys (text)")))
                broken_link = True
                continue
            if bool(target) == bool(result):
                problems.append(_problem(opath, _l("must lead either to a next step or to a result")))
                broken_link = True
            elif target:
                if target not in step_keys:
                    broken_link = True
                    problems.append(_problem(f"{opath}.next", _l("points to no step '%(key)s'", key=target)))
                elif isinstance(key, str):
                    edges.setdefault(key, set()).add(target)
            elif result not in result_keys:
                problems.append(_problem(f"{opath}.result", _l("points to no result '%(key)s'", key=result)))
            elif isinstance(key, str):
                ends.add(key)

    # A step must be able to reach a result: walk backwards from the steps that end.
    reach = set(ends)
    changed = True
    while changed:
        changed = False
        for source, targets in edges.items():
            if source not in reach and targets & reach:
                reach.add(source)
                changed = True
    for i, key in enumerate(step_keys):
        if key not in reach:
            problems.append(_problem(f"steps[{i}]", _l("step '%(key)s' can reach no result", key=key)))
    # Every engagement starts at the first step: a step no path of outcomes leads to is dead weight.
    # Skipped while an outcome's link is broken: fixing that link is the real problem, and
    # every step behind it would otherwise be reported too.
    reached = set(step_keys) if broken_link else set(step_keys[:1])
    frontier = list(reached)
    while frontier:
        for target in edges.get(frontier.pop(), ()):
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    for i, key in enumerate(step_keys):
        if key not in reached:
            problems.append(_problem(f"steps[{i}]", _l("no outcome leads to this step")))
    return [str(p) for p in problems]
