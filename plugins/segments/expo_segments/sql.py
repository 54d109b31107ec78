"""Date functions SQLite and PostgreSQL spell differently — the month of a date, the date of a UTC
timestamp, the days between two dates, the month and day of a birthday — compiled per dialect so
every query stays one SQL statement on both."""
from __future__ import annotations

from sqlalchemy import Date, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def _function(name: str, result_type, postgresql: str, sqlite: str):
    """A SQL function class whose text per dialect is a template of its arguments ``{0}``, ``{1}``."""
    cls = type(name, (FunctionElement,), {"type": result_type, "inherit_cache": True, "name": name})
    for dialect, template in (("postgresql", postgresql), ("sqlite", sqlite)):
        def compile_(element, compiler, template=template, **kw):
            return template.format(*(compiler.process(arg, **kw) for arg in element.clauses))

        compiles(cls, dialect)(compile_)
    return cls


# Only ever grouped by: PostgreSQL's date_trunc is far cheaper than formatting the month as text.
month_of = _function("month_of", String(), "date_trunc('month', {0})", "strftime('%Y-%m', {0})")
day_of = _function("day_of", Date(), "CAST(({0} AT TIME ZONE 'UTC') AS DATE)", "date({0})")
# days_between(earlier, later): whole days from the first date to the second
days_between = _function("days_between", Integer(), "({1} - {0})", "CAST(julianday({1}) - julianday({0}) AS INTEGER)")
month_day = _function("month_day", String(), "to_char({0}, 'MM-DD')", "strftime('%m-%d', {0})")
