"""Translated labels for the core's coded values (roles, categories, states, activity kinds)."""
from flask import current_app
from flask_babel import lazy_gettext as _l

from expo.core.i18n import current_locale

LABELS = {
    "role": {"admin": _l("administrator"), "planner": _l("planner"), "manager": _l("client-manager"),
             "viewer": _l("viewer")},
    "category": {"active": _l("active"), "potential": _l("potential"), "lost": _l("lost")},
    "state": {"open": _l("open"), "won": _l("won"), "lost": _l("lost"), "declined": _l("declined")},
    "activity": {"call": _l("call"), "email": _l("e-mail"), "meeting": _l("meeting"),
                 "presentation": _l("presentation"), "offer": _l("offer sent"), "note": _l("note")},
    "report": {"queued": _l("queued"), "running": _l("running"), "done": _l("done"), "failed": _l("failed")},
    "import": {"uploaded": _l("to be mapped"), "checking": _l("checking"), "checked": _l("checked, not imported"),
               "committing": _l("importing"), "committed": _l("imported"), "failed": _l("failed")},
    "import_kind": {"clients": _l("clients"), "sales": _l("sales")},
    "row_status": {"new": _l("new"), "update": _l("update"), "duplicate": _l("duplicate"), "invalid": _l("invalid")},
    "delivery": {"sending": _l("sending"), "sent": _l("sent"), "failed": _l("failed")},
    # Refusal reasons of the ready-made scenario; a scenario's own reasons show as written.
    "reason": {"price": _l("price too high"), "quality": _l("quality"), "timing": _l("timing"),
               "no_budget": _l("no budget"), "competitor": _l("chose a competitor")},
}


def label(kind: str, value: str | None) -> str:
    if value is None:
        return "—"
    known = LABELS[kind].get(value)
    if known is None:
        return value  # a scenario's own reason, shown as written
    # Remembered per app and locale: a page shows the same few labels dozens of times, and each
    # lazy string looks its catalog up through the request context again. Per app, because an
    # app's plugins' catalogs are merged into its own and may word a core label differently.
    texts = current_app.extensions["expo.label_texts"]
    key = (current_locale(), kind, value)
    text = texts.get(key)
    if text is None:
        text = texts[key] = str(known)
    return text
