"""Where the funnel's numbers are read from: the plugin's count tables (``models``, summed per
scenario version, exhibition and manager, minus the engagements of clients in the deletion grace
period) when no period or client filter is set, else the step log itself through its partial
indexes (read alone on PostgreSQL). Both give the same answer (docs/decisions/0019-funnel.md).

Here: the selection as conditions on the log, the engagements and the count tables; the count
tables' statements built once per shape of selection; the deleted clients' share.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import and_, bindparam, exists, func, select

from expo.hooks import db_rows, db_session, models, plugin_setting
from expo_funnel.models import ResultCount, StepCount
from expo_funnel.selection import CLIENT_FIELDS, Selection

StepLog, Engagement, Client = models.StepLog, models.Engagement, models.Client
DROPPED = ("lost", "declined")

# --- which rows ------------------------------------------------------------------------------


def _deleted_clients_engagements():
    return (select(Engagement.id).join(Client, Client.id == Engagement.client_id)
            .where(Client.deleted_at.is_not(None)))


def engagement_conditions(sel: Selection, deleted: bool = False) -> list:
    """Conditions on ``Engagement`` (with ``Client`` joined when the client filters ask); with
    ``deleted``, the engagements of deleted clients only (what the count tables hold beyond the log's
    answer)."""
    found = [*key_conditions(Engagement, sel),
             Engagement.id.in_(_deleted_clients_engagements()) if deleted
             else Engagement.id.not_in(_deleted_clients_engagements())]
    start, end = sel.opened_between()
    if start:
        found.append(Engagement.opened_at >= start)
    if end:
        found.append(Engagement.opened_at < end)
    clients = [getattr(Client, key) == getattr(sel, key) for key in CLIENT_FIELDS if getattr(sel, key)]
    if sel.client_condition is not None:
        clients.append(sel.client_condition)
    if clients:
        found.append(Engagement.client_id.in_(select(Client.id).where(*clients)))
    return found


def log_conditions(sel: Selection, deleted: bool = False) -> list:
    """Conditions on ``StepLog``: the denormalised columns first (what the indexes serve); the
    engagement's own filters only when asked for. ``deleted`` as for ``engagement_conditions``."""
    found = key_conditions(StepLog, sel)
    if sel.narrows_engagements:
        # The engagements' own conditions leave the deleted clients out (or keep only them): the log
        # must not test it again, or PostgreSQL, costing that test on every probe, scans the whole
        # scenario's log instead of reading those engagements' rows (ix_step_log_engagement).
        found.append(StepLog.engagement_id.in_(select(Engagement.id).where(*engagement_conditions(sel, deleted))))
    else:
        found.append(StepLog.engagement_id.in_(_deleted_clients_engagements()) if deleted
                     else StepLog.engagement_id.not_in(_deleted_clients_engagements()))
    return found


# The three kinds of rows the funnel counts, each read from its own partial index of the step log.
ENTRIES = StepLog.first_entry
CURRENT = StepLog.left_at.is_(None)
DROPS = and_(StepLog.closing, StepLog.result_kind.in_(DROPPED))


def use_counts(sel: Selection) -> bool:
    """Whether the count tables can answer: not when a period or client filter needs the log."""
    return not sel.narrows_engagements and plugin_setting("FUNNEL_COUNTS", True)


def grouped(statement, values: int = 1, parameters: dict | None = None) -> dict:
    """``{group: value(s)}`` of a statement selecting the group's columns, then ``values`` numbers."""
    found = {}
    for row in db_rows(statement, parameters):
        group = tuple(row[:-values]) if len(row) - values > 1 else row[0]
        found[group] = row[-1] if values == 1 else tuple(row[-values:])
    return found


def any_deleted() -> bool:
    """Whether some client waits in the deletion grace period (asked once per request): only then
    do the count tables' numbers need the deleted clients' share taken off."""
    if "funnel_any_deleted" not in g:
        g.funnel_any_deleted = db_session().scalar(_ANY_DELETED)
    return g.funnel_any_deleted


def note_any_deleted(found: bool) -> None:
    """What ``any_deleted`` answers in this request, from a page that asked in a statement of its own."""
    g.funnel_any_deleted = found


_ANY_DELETED = select(exists().where(Client.deleted_at.is_not(None)))
_SHAPED: dict = {}


def shaped(make, sel: Selection) -> tuple:
    """``(statement, parameters)``: ``make(keys)`` — a statement over a count table, given ``keys(table)``,
    the selection's versions, exhibition and manager as conditions with bound parameters — built
    once per shape of selection (whether it names an exhibition, a manager), and the values that
    bind it to ``sel``. Building the funnel's statements anew took longer than running them on a
    page of one exhibition (docs/performance.md)."""
    shape = (make, bool(sel.exhibition_id), bool(sel.manager_id))
    statement = _SHAPED.get(shape)
    if statement is None:
        def keys(table) -> list:
            found = [table.scenario_id.in_(bindparam("versions", expanding=True))]
            if shape[1]:
                found.append(table.exhibition_id == bindparam("exhibition_id"))
            if shape[2]:
                found.append(table.manager_id == bindparam("manager_id"))
            return found
        statement = _SHAPED[shape] = make(keys)
    return statement, {"versions": list(sel.version_ids), "exhibition_id": sel.exhibition_id,
                       "manager_id": sel.manager_id}


def minus(totals: dict, deleted: dict) -> dict:
    """The count tables' numbers without the deleted clients' engagements (the log leaves them out)."""
    if not deleted:
        return totals
    found = dict(totals)
    for group, value in deleted.items():
        if group in found:  # (not there: the tables are behind the log; the nightly rebuild catches up)
            found[group] = (_less(found[group], value) if not isinstance(value, tuple)
                            else tuple(_less(a, b) for a, b in zip(found[group], value)))
    return found


def _less(a, b):
    """``a − b``; days are floats in the tables and numeric in PostgreSQL's own arithmetic."""
    return float(a) - float(b) if isinstance(a, float) or isinstance(b, float) else a - b


def count_rows(sel: Selection, rows, *by) -> dict:
    """``{group: count}`` of the selection's step-log ``rows`` (ENTRIES, CURRENT, DROPS) grouped
    ``by`` step-log columns: from the count tables when they can answer, else from the log."""
    def from_log(deleted=False):
        return grouped(select(*by, func.count()).where(*log_conditions(sel, deleted), rows).group_by(*by))

    if not use_counts(sel):
        return from_log()
    table, number = (ResultCount, func.sum(ResultCount.count)) if rows is DROPS else \
        (StepCount, func.sum(StepCount.entered if rows is ENTRIES else StepCount.in_progress))
    columns = [getattr(table, column.key) for column in by]
    extra = [ResultCount.result_kind.in_(DROPPED)] if rows is DROPS else []
    totals = grouped(select(*columns, number).where(*key_conditions(table, sel), *extra).group_by(*columns))
    return {group: n for group, n in minus(totals, from_log(deleted=True) if any_deleted() else {}).items() if n}


def key_conditions(table, sel: Selection) -> list:
    """The selection's scenario versions, exhibition and manager as conditions on ``table`` — the
    step log, engagements or a count table: each carries the three columns."""
    found = [table.scenario_id.in_(sel.version_ids)]
    if sel.exhibition_id:
        found.append(table.exhibition_id == sel.exhibition_id)
    if sel.manager_id:
        found.append(table.manager_id == sel.manager_id)
    return found
