"""/api/v1/imports: an import in one call — a dry run, or a commit of the new and update rows."""
from __future__ import annotations

import json

from flask import jsonify, request
from flask_babel import gettext as _

from expo.core.errors import ValidationError
from expo.core.imports import runs
from expo.web.api import bp
from expo.web.api.common import api_user


def _flag(value: str | None) -> bool:
    text = (value or "true").strip().lower()
    if text not in ("true", "false", "1", "0"):
        raise ValidationError(fields={"dry_run": _("Must be true or false.")})
    return text in ("true", "1")


@bp.post("/imports")
def imports_create():
    """multipart: ``file``, ``dry_run`` (default true), ``kind`` (clients | sales), ``mapping`` (JSON)."""
    runs.require_importer(api_user())
    dry_run = _flag(request.form.get("dry_run"))
    mapping = request.form.get("mapping")
    if mapping is not None:
        try:
            mapping = json.loads(mapping)
        except ValueError:
            raise ValidationError(fields={"mapping": _("Not valid JSON.")}) from None
    counts, verdicts = runs.check_now(request.files.get("file"), request.form.get("kind", "clients"), mapping,
                                      dry_run, api_user())
    return jsonify({"counts": counts, "dry_run": dry_run,
                    "rows": [{"row": v.row, "status": v.status, "errors": v.errors, "client_id": v.client_id}
                             for v in verdicts]}), 200 if dry_run else 201
