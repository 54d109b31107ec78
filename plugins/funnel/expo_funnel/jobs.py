"""The funnel's jobs (run as SYSTEM, in-process without Redis): the nightly rebuild of the count
tables, and the recount of a purged client's keys once its rows are gone."""
from __future__ import annotations

from expo.hooks import commit
from expo_funnel import counts


def rebuild_all() -> None:
    """Every count from the log again (a few seconds at a million engagements)."""
    counts.rebuild_now()
    commit()


def recount(keys: list) -> None:
    counts.touch(*(tuple(key) for key in keys))
    commit()
