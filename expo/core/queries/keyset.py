"""Keyset paging: a list's page read from an index in its order, whatever page it is.

OFFSET makes the database walk and drop every row before the page (2 s for page 2 000 of
215 000 clients); a cursor names the last row shown instead, and the next page is the rows
after it, ``(a, b, id) > (:a, :b, :id)``, a range scan of the index that has the order.

An order is a list of terms, the last one the id, all in one direction, so one index serves it
forwards and backwards. Blanks go last in both directions, which no single index gives on both
PostgreSQL (NULLs last ascending) and SQLite (NULLs first). So a nullable first term splits the
order into *segments*: the rows with a value, then the blanks ordered by the remaining terms, and a
page that runs past the end of one segment continues in the next (at most one more statement).
See docs/decisions/0023-keyset-paging.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Sequence

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Select, bindparam, func, select, tuple_

from expo.core import db
from expo.core.errors import ValidationError


@dataclass(frozen=True, eq=False)
class Segment:
    """Part of an order: the rows ``where`` picks, ordered by ``terms`` (the id last)."""

    where: Any
    terms: tuple


def segments(terms: Sequence, nullable_first: bool) -> list[Segment]:
    """The segments of the order by ``terms``: one, or two when the first term can be blank."""
    if not nullable_first:
        return [Segment(None, tuple(terms))]
    return [Segment(terms[0].is_not(None), tuple(terms)), Segment(terms[0].is_(None), tuple(terms[1:]))]


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (or, going back, before) the row with ``values`` in ``segment``;
    ``position`` is that page's offset, for "page n of m" only (it is not used to read).

    Its token is signed with the firm's secret key: only a cursor this app wrote is read, so a
    hand-made one cannot put arbitrary values into the comparison."""

    sort: str
    segment: int
    values: tuple
    backwards: bool
    position: int

    def token(self) -> str:
        return _signer().dumps({"o": self.sort, "s": self.segment, "v": [_encode(v) for v in self.values],
                                "b": int(self.backwards), "p": self.position})

    @classmethod
    def parse(cls, token: str, sort: str) -> "Cursor":
        """The cursor in a URL; a damaged one, or one of another order, raises a ValidationError."""
        try:
            data = _signer().loads(token)
            values = data["v"]
            if not (isinstance(data["o"], str) and isinstance(values, list) and data["b"] in (0, 1)
                    and all(type(data[key]) is int and 0 <= data[key] < 2**31 for key in ("s", "p"))):
                raise ValueError(data)
            cursor = cls(data["o"], data["s"], tuple(_decode(v) for v in values), bool(data["b"]), data["p"])
        except (BadData, ValueError, TypeError, KeyError, InvalidOperation, RecursionError, OverflowError):
            raise ValidationError(fields={"cursor": str(_l("This page link is damaged; start from the first page."))})
        if cursor.sort != sort:
            raise ValidationError(fields={"cursor": str(_l("This page link is for another order; start from the first page."))})
        return cursor


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="expo.list-cursor")


def end_cursor(sort: str, count: int, position: int) -> Cursor:
    """The cursor of the last page: backwards from past the last of ``count`` segments."""
    return Cursor(sort, count, (), True, position)


# JSON keeps strings and numbers; dates, datetimes and decimals travel tagged.
def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        return {"dt": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal}[tag](str(text))
    if isinstance(value, (str, int, float)):
        return value
    raise ValueError(value)


@dataclass
class KeysetPage:
    rows: list  # the result rows, in the list's order
    position: int  # the offset of the first row
    next: Cursor | None  # the next page's cursor, None on the last page
    previous: Cursor | None  # the previous page's cursor, None on the first page
    first_offset: bool  # this page was read by offset (the pager may number its neighbours)


def read_page(base: Select, parts: list[Segment], descending: bool, sort: str, limit: int,
              offset: int = 0, cursor: Cursor | None = None) -> KeysetPage:
    """The page of ``base`` that starts at ``offset`` or at ``cursor``: one statement, two when the
    page crosses into the blanks, three when an offset lands past the rows with a value. Each row
    comes back as ``base``'s columns (the order's terms are read beside them for the cursors)."""
    backwards = cursor is not None and cursor.backwards
    order = list(range(len(parts)))[::-1] if backwards else list(range(len(parts)))  # segment numbers
    start, skip = 0, offset
    if cursor is not None:
        at_end = cursor.segment == len(parts) and backwards
        if not (at_end or (0 <= cursor.segment < len(parts)
                           and len(cursor.values) == len(parts[cursor.segment].terms))):
            raise ValidationError(fields={"cursor": str(_l("This page link is damaged; start from the first page."))})
        start = 0 if at_end else order.index(cursor.segment)
        skip = 0
    down = descending != backwards
    found: list = []  # (the row's own columns, its segment, its terms' values)
    for index in range(start, len(order)):
        segment = order[index]
        part = parts[segment]
        statement = base.add_columns(*(term.label(f"key_{i}") for i, term in enumerate(part.terms)))
        if part.where is not None:
            statement = statement.where(part.where)
        if cursor is not None and index == start and cursor.segment < len(parts):
            statement = statement.where(_beyond(part.terms, cursor.values, down))
        if skip and not found and index > start:
            # The offset ran past the previous segment without a row: skip what that one held.
            held = base.where(parts[order[index - 1]].where).subquery()
            skip = max(0, skip - (db.session().scalar(select(func.count()).select_from(held)) or 0))
        width = len(part.terms)
        rows = db.session().execute(statement.order_by(*(t.desc() if down else t.asc() for t in part.terms))
                                    .offset(skip or None).limit(limit + 1 - len(found)))
        for row in rows:
            found.append((tuple(row[:len(row) - width]), segment, tuple(row[len(row) - width:])))
            skip = 0
        if len(found) > limit:
            break
    more = len(found) > limit
    found = found[:limit]
    if backwards:
        found.reverse()
        position = cursor.position if more else 0
        has_previous, has_next = more, cursor.segment < len(parts)
    else:
        position = cursor.position if cursor is not None else offset
        has_previous, has_next = position > 0, more
    first, last = (found[0], found[-1]) if found else (None, None)
    return KeysetPage(
        rows=[row for row, _segment, _values in found], position=position, first_offset=cursor is None,
        next=Cursor(sort, last[1], last[2], False, position + len(found)) if has_next and last else None,
        previous=(Cursor(sort, first[1], first[2], True, max(0, position - limit))
                  if has_previous and first else None),
    )


def _beyond(terms: Sequence, values: Sequence, down: bool):
    """Rows after ``values`` in the order (before them when ``down``): one row comparison, the
    form both databases turn into an index range."""
    left = tuple_(*terms)
    right = tuple_(*(bindparam(None, value, type_=term.type) for term, value in zip(terms, values)))
    return left < right if down else left > right
