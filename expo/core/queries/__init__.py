"""Read-side queries shared by pages and the API: a bounded number of SQL statements each."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from flask_babel import lazy_gettext as _l

from expo.core.errors import ValidationError
from expo.core.hooktypes import ListColumn

MAX_LIMIT = 200


def paging_from_args(args: Mapping[str, str], default_limit: int = 50, top: int = MAX_LIMIT) -> tuple[int, int]:
    """``(limit, offset)`` from request args; out-of-range or non-numeric values raise, naming the field."""
    values, errors = {}, {}
    for key, default, low, high in (("limit", default_limit, 1, top), ("offset", 0, 0, 10**9)):
        raw = (args.get(key) or "").strip()
        if not raw:
            values[key] = default
        # ASCII digits only: int() would also take "+5", "1_000" and other scripts' digits.
        elif raw.isascii() and raw.isdigit() and len(raw) <= 10 and low <= int(raw) <= high:
            values[key] = int(raw)
        else:
            errors[key] = str(_l("Must be a whole number from %(low)d to %(high)d.", low=low, high=high))
    if errors:
        raise ValidationError(fields=errors)
    return values["limit"], values["offset"]


@dataclass(frozen=True)
class Sorting:
    """A list's order: a key of its sortable columns, ascending or descending."""

    key: str
    descending: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str], default: "Sorting") -> "Sorting":
        raw = (args.get("sort") or "").strip()
        if not raw:
            return default
        return cls(raw.lstrip("-"), raw.startswith("-"))

    @property
    def param(self) -> str:
        """The value of the ``sort`` URL parameter that gives this order."""
        return ("-" if self.descending else "") + self.key


def default_sorting(columns: Iterable[ListColumn], fallback: Sorting) -> Sorting:
    """The first plugin column that asks to be the default order, else ``fallback``."""
    for column in columns:
        if column.default_sort:
            return Sorting(column.key, column.default_sort == "desc")
    return fallback


def sortable_columns(core: Mapping[str, Any], columns: Iterable[ListColumn]) -> dict[str, Any]:
    return dict(core, **{column.key: column.expression for column in columns})


def order_by(sortable: Mapping[str, Any], sorting: Sorting, tiebreak) -> list:
    """ORDER BY terms for ``sorting``; an unknown key raises, naming the allowed ones.

    Blanks go last either way, and the id breaks ties so paging is stable.
    """
    if sorting.key not in sortable:
        raise ValidationError(fields={"sort": str(_l("Must be one of: %(options)s.", options=", ".join(sortable)))})
    expression = sortable[sorting.key]
    expression = expression.desc() if sorting.descending else expression.asc()
    return [expression.nulls_last(), tiebreak]


def plugin_values(row, columns: list[ListColumn], first: int = 1) -> dict[str, Any]:
    """``{column key: value}`` of the plugin columns selected after the model in ``row``."""
    return {column.key: row[first + i] for i, column in enumerate(columns)}


def with_joins(statement, columns: Iterable[ListColumn]):
    """``statement`` with the outer joins the plugin columns ask for (``ListColumn.joins``)."""
    for column in columns:
        for target, onclause in column.joins:
            statement = statement.outerjoin(target, onclause)
    return statement


def labelled(columns: Iterable[ListColumn]) -> list:
    """The plugin columns' expressions, labelled for selection beside the model."""
    return [column.expression.label(f"col_{column.key}") for column in columns]
