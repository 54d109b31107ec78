"""Pages at /ratings: the rule editor with the recomputation's progress, and a client's and an
engagement's ratings — each a full page, and the panel the client card / engagement page loads.

Everyone logged in may read what they may see (managers: their own clients, others 404);
planners and admins change ratings and rules.
"""
from __future__ import annotations

import re

from flask import render_template, request, url_for
from flask_babel import lazy_gettext as _l, lazy_pgettext

from expo.hooks import (NotFound, ValidationError, commit, current_user, db_session, get_client, get_engagement,
                        inline_form, page_or_fragment, protected_blueprint, redirect_after_post, rollback)
from expo_ratings import queries, recompute, rules as rule_set, services
from expo_ratings.models import CAUSES, COMPONENTS, RUN_STATES, Recomputation

bp = protected_blueprint("ratings", __name__, url_prefix="/ratings", template_folder="templates")
# The backfill of a first enabling starts with the first request a process serves.
bp.before_app_request(recompute.start_pending_once)

PANEL_HISTORY = 10
PAGE_HISTORY = 50
BLANK_ROWS = 3
_RULE_FIELD = re.compile(r"(result|kind|reason|points|remove)-(\d{1,3})")

LABELS = {
    "component": dict(zip(COMPONENTS, (_l("status"), lazy_pgettext("rating component", "exhibition"), _l("personal")))),
    "cause": dict(zip(CAUSES, (_l("rule"), _l("manual"), _l("recomputation"), _l("reopened")))),
    "run": dict(zip(RUN_STATES, (_l("pending"), _l("queued"), _l("running"), _l("done"), _l("failed")))),
}


@bp.app_template_global("ratings_label")
def ratings_label(kind: str, value: str) -> str:
    return str(LABELS[kind].get(value, value))


# --- the rule editor ----------------------------------------------------------------------------


def _rule_rows(rules) -> list[dict]:
    rows = [dict(index=i, result=r.result_key or "", kind=r.kind or "", reason=r.reason or "", points=r.points)
            for i, r in enumerate(rules)]
    return rows + [dict(index=len(rows) + i, result="", kind="", reason="", points="") for i in range(BLANK_ROWS)]


def _rules_page(rows, errors=None, status=200):
    return render_template("ratings/rules.html", rows=rows, errors=errors or {}, results=rule_set.known_results(),
                           low_high=rule_set.rating_range(), run=queries.latest_recomputation(),
                           can_edit=current_user.can_assign), status


@bp.get("/rules")
def rules():
    return _rules_page(_rule_rows(rule_set.current_rules()))


def _submitted_rows() -> list[dict]:
    """The editor's rows as posted (``points-3`` …), in their order, with their form index."""
    indexes = sorted({int(m.group(2)) for key in request.form if (m := _RULE_FIELD.fullmatch(key))})
    return [dict(index=i, **{name: request.form.get(f"{name}-{i}", "") for name in ("result", "kind", "reason",
                                                                                      "points", "remove")})
            for i in indexes]


@bp.post("/rules")
def save_rules():
    rows = _submitted_rows()
    # Blank rows are the spare ones; ticked "remove" drops a rule.
    kept = [row for row in rows if not row["remove"]
            and any(str(row[name]).strip() for name in rule_set.RULE_FIELDS)]
    try:
        services.save_rules([{name: row[name] for name in rule_set.RULE_FIELDS} for row in kept], current_user)
    except ValidationError as problem:
        rollback()
        errors = {}
        for key, message in problem.fields.items():  # rules[2].points → points-<form index of the 3rd kept row>
            found = re.fullmatch(r"rules\[(\d+)\](?:\.(\w+))?", key)
            if found:
                errors[f"{found.group(2) or 'result'}-{kept[int(found.group(1))]['index']}"] = message
            else:
                errors[key] = message
        return _rules_page([row for row in rows if not row["remove"]], {"_form": problem.message, **errors}, 422)
    commit()  # the recomputation job starts now (in-process, or queued for a worker)
    return redirect_after_post(url_for("ratings.rules"))


@bp.post("/recompute")
def recompute_now():
    services.request_recomputation(current_user)
    commit()
    return redirect_after_post(url_for("ratings.rules"))


@bp.get("/recomputations/<int:recomputation_id>")
def recomputation(recomputation_id: int):
    """A run's progress: the fragment polls itself every second while the run is under way."""
    run = db_session().get(Recomputation, recomputation_id)
    if run is None:
        raise NotFound()
    return page_or_fragment("ratings/recomputation.html", "ratings/_progress.html", run=run)


def _value() -> dict:
    return {"value": request.form.get("value", "")}


def _save_inline(save, view, page_url: str):
    """An inline rating form: saved and committed, then the panel again (HTMX; other panels are
    told to refresh) or a redirect to the page it sits on; refused input: the panel with its
    message, 422 (a plain form post gets the error page)."""
    refused = inline_form(save, lambda errors: view(errors, 422)[0])
    if refused:
        return refused
    if request.htmx:
        return view()[0], 200, {"HX-Trigger": "expo:changed", "Vary": "HX-Request"}
    return redirect_after_post(page_url)


def _fragment_wanted() -> bool:
    """As ``page_or_fragment`` decides: an HTMX request, but not a history restore."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- a client's ratings: the card's panel, and the page with the whole history ------------------


def _client_view(client, errors=None, status=200, offset=0):
    panel = _fragment_wanted()
    limit = PANEL_HISTORY if panel else PAGE_HISTORY
    return page_or_fragment(
        "ratings/client.html", "ratings/_client_panel.html", status,
        client=client, ratings=queries.ratings_of(client.id), errors=errors or {},
        history=queries.history(client.id, limit, offset), offset=offset, limit=limit,
        history_total=None if panel else queries.history_count(client.id))


@bp.get("/clients/<int:client_id>")
def client(client_id: int):
    offset = max(0, min(request.args.get("offset", 0, type=int) or 0, 10**9))
    return _client_view(get_client(current_user, client_id), offset=offset)


@bp.post("/clients/<int:client_id>/personal")
def set_personal(client_id: int):
    client = get_client(current_user, client_id)  # 404 before 403: a foreign client does not exist
    return _save_inline(lambda: services.set_personal(client, _value(), current_user),
                        lambda errors=None, status=200: _client_view(client, errors, status),
                        url_for("clients.card", client_id=client.id))


# --- an engagement's ratings ------------------------------------------------------------------


def _engagement_view(engagement, errors=None, status=200):
    return page_or_fragment(
        "ratings/engagement.html", "ratings/_engagement_panel.html", status,
        engagement=engagement, errors=errors or {},
        ratings=queries.ratings_of(engagement.client_id, engagement.exhibition_id),
        own_status=queries.status_of(engagement.id),
        history=queries.history(engagement.client_id, PANEL_HISTORY, engagement_id=engagement.id))


@bp.get("/engagements/<int:engagement_id>")
def engagement(engagement_id: int):
    return _engagement_view(get_engagement(current_user, engagement_id))


@bp.post("/engagements/<int:engagement_id>/exhibition")
def set_exhibition(engagement_id: int):
    engagement = get_engagement(current_user, engagement_id)
    return _save_inline(lambda: services.set_exhibition(engagement, _value(), current_user),
                        lambda errors=None, status=200: _engagement_view(engagement, errors, status),
                        url_for("engagements.show", engagement_id=engagement.id))
