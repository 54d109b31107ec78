"""The rule set: which result earns which status rating.

A rule names a **result key** (``contract``: that result in any scenario), or a **kind** with an
optional **reason** (``lost`` + ``price``; ``declined`` alone). When several match a result, the
most specific wins: result key, then kind + reason, then kind alone; no match, no status rating.
Points, like every rating a person sets, lie in the range ``EXPO_RATINGS_MIN``..``EXPO_RATINGS_MAX``
(default −100..100).
"""
from __future__ import annotations

from typing import Any, Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, delete, func, or_, select

from expo.hooks import ValidationError, db_session, fields, models, plugin_setting
from expo_ratings.models import RatingRule

MAX_RULES = 200
RULE_FIELDS = ("result", "kind", "reason", "points")


def rating_range() -> tuple[int, int]:
    """The lowest and highest rating a person or a rule may give (settings RATINGS_MIN/MAX)."""
    low, high = plugin_setting("RATINGS_MIN", -100), plugin_setting("RATINGS_MAX", 100)
    if low > high:
        raise RuntimeError(f"EXPO_RATINGS_MIN ({low}) is greater than EXPO_RATINGS_MAX ({high})")
    return low, high


def rating_value(data: Mapping[str, Any], strict: bool = False) -> int:
    """The rating in ``{"value": n}``: a whole number in the range, else a ValidationError on ``value``.

    ``strict`` (JSON) takes only a JSON integer; a form's text ``"5"`` is fine otherwise.
    """
    low, high = rating_range()
    if strict and "value" in data and (isinstance(data["value"], bool) or not isinstance(data["value"], int)):
        raise ValidationError(fields={"value": str(_l("Must be a whole number."))})
    return fields.clean({"value": fields.integer(low, high, required=True)}, data)["value"]


def points_for(result_key, kind, reason):
    """SQL: the points of the rule matching a result (values, or columns of an enclosing query).

    The most specific rule wins: result key, then kind + reason, then kind alone (the id breaks a
    tie, which validation never lets happen).
    """
    rule = RatingRule
    precedence = case((rule.result_key.is_not(None), 0), (rule.reason.is_not(None), 1), else_=2)
    matches = or_(rule.result_key == result_key,
                  and_(rule.result_key.is_(None), rule.kind == kind, or_(rule.reason.is_(None), rule.reason == reason)))
    return select(rule.points).where(matches).order_by(precedence, rule.id).limit(1).scalar_subquery()


def current_rules() -> list[RatingRule]:
    return list(db_session().scalars(select(RatingRule).order_by(RatingRule.position, RatingRule.id)))


def rule_json(rule: RatingRule) -> dict:
    return {"id": rule.id, "result": rule.result_key, "kind": rule.kind, "reason": rule.reason, "points": rule.points}


def known_results() -> list[dict]:
    """Every result the firm's scenarios define (any version): key, kind, reason, a title, and the
    points the current rules give it (one statement; the rules' own SQL decides)."""
    result = models.ScenarioResult
    rows = db_session().execute(
        select(result.key, result.kind, result.reason, func.max(result.title),
               points_for(result.key, result.kind, result.reason))
        .group_by(result.key, result.kind, result.reason).order_by(result.key))
    return [{"key": key, "kind": kind, "reason": reason, "title": title, "points": points}
            for key, kind, reason, title, points in rows]


def clean_rules(rows: Any, strict: bool = False) -> list[dict]:
    """Check a whole rule set; every problem is reported at once, keyed ``rules[i].field``.

    A rule names an existing result key, or a kind (``won``, ``lost``, ``declined``) with an
    optional reason; no two rules may match the same thing. ``strict`` (JSON): points must be
    JSON integers, as for ``rating_value``.
    """
    if not isinstance(rows, list):
        raise ValidationError(fields={"rules": str(_l("Must be a list of rules."))})
    if len(rows) > MAX_RULES:
        raise ValidationError(fields={"rules": str(_l("At most %(n)d rules.", n=MAX_RULES))})
    low, high = rating_range()
    schema = {"result": fields.text(100), "kind": fields.choice(models.RESULT_KINDS), "reason": fields.text(100),
              "points": fields.integer(low, high, required=True)}
    existing = set(db_session().scalars(select(models.ScenarioResult.key).distinct()))
    errors: dict[str, str] = {}
    cleaned: list[dict] = []
    seen: set[tuple] = set()
    for index, row in enumerate(rows):
        prefix = f"rules[{index}]"
        if not isinstance(row, dict):
            errors[prefix] = str(_l("Each rule must be an object."))
            continue
        row = {key: value for key, value in row.items() if key != "id"}  # what GET gives may be put back
        try:
            if strict and "points" in row:
                rating_value({"value": row["points"]}, strict=True)
            rule = fields.clean(schema, row, check=lambda values: _rule_problems(values, existing))
        except ValidationError as problem:
            errors.update({f"{prefix}.{'points' if key == 'value' else key}": str(message)
                           for key, message in problem.fields.items()})
            continue
        match = (rule.get("result"), rule.get("kind"), rule.get("reason"))
        if match in seen:
            errors[f"{prefix}.result" if match[0] else f"{prefix}.kind"] = str(
                _l("An earlier rule matches the same results."))
        seen.add(match)
        cleaned.append(rule)
    if errors:
        raise ValidationError(_l("The rules were not saved; please correct them."), fields=errors)
    return cleaned


def _rule_problems(values: dict, existing: set[str]) -> dict:
    result, kind, reason = values.get("result"), values.get("kind"), values.get("reason")
    if result and (kind or reason):
        return {"result": str(_l("Give a result, or a kind with an optional reason — not both."))}
    if not result and not kind:
        return {"result": str(_l("Give a result, or a kind with an optional reason."))}
    if result and result not in existing:
        return {"result": str(_l("No scenario has the result '%(key)s'.", key=result))}
    return {}


def replace_rules(rules: list[dict]) -> None:
    """Put ``rules`` (cleaned) in place of the current set, in their order."""
    session = db_session()
    session.execute(delete(RatingRule))
    session.add_all(RatingRule(result_key=rule.get("result") or None, kind=rule.get("kind") or None,
                               reason=rule.get("reason") or None, points=rule["points"], position=position)
                    for position, rule in enumerate(rules))
    session.flush()
