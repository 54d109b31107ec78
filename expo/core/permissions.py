"""Rights beyond the roles: the core's two plus whatever enabled plugins declare."""
from __future__ import annotations

from expo.core.plugins import registered


def all_permissions() -> dict[str, str]:
    """``{key: label}`` of every right an admin can grant."""
    from flask_babel import lazy_gettext as _l

    rights = {"clients.export": str(_l("Export the client base")),
              "clients.delete": str(_l("Delete clients"))}
    rights.update({p.key: p.label for p in registered("register_permissions")})
    return rights
