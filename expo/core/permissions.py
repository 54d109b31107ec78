"""Rights beyond the roles: the core's two plus whatever enabled plugins declare."""
from __future__ import annotations

from expo.core.plugins import registered


def all_permissions() -> dict[str, str]:
    """``{key: label}`` of every right an admin can grant (a plugin's right without a label shows its key)."""
    from flask_babel import lazy_gettext as _l

    rights = {"clients.export": str(_l("Export the client base")),
              "clients.delete": str(_l("Delete clients"))}
    rights.update({p.key: str(getattr(p, "label", None) or p.key) for p in registered("register_permissions")})
    return rights


def permission_label(key: str) -> str:
    """The label of one right; a right no longer declared (plugin disabled) shows its key."""
    return all_permissions().get(key, key)
