"""Read-side queries shared by pages and the API: a bounded number of SQL statements each."""
from __future__ import annotations

from typing import Mapping

from flask_babel import lazy_gettext as _l

from expo.core.errors import ValidationError

MAX_LIMIT = 200


def paging_from_args(args: Mapping[str, str], default_limit: int = 50, top: int = MAX_LIMIT) -> tuple[int, int]:
    """``(limit, offset)`` from request args; out-of-range or non-numeric values raise, naming the field."""
    values, errors = {}, {}
    for key, default, low, high in (("limit", default_limit, 1, top), ("offset", 0, 0, 10**9)):
        raw = (args.get(key) or "").strip()
        try:
            values[key] = int(raw) if raw else default
            if not low <= values[key] <= high:
                raise ValueError
        except ValueError:
            errors[key] = str(_l("Must be a whole number from %(low)d to %(high)d.", low=low, high=high))
    if errors:
        raise ValidationError(fields=errors)
    return values["limit"], values["offset"]
