"""Errors the core raises; web and API layers turn them into a form message or a JSON error."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l


class ExpoError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message=None, fields: dict | None = None):
        self.message = message or self.default_message()
        self.fields = fields or {}
        super().__init__(str(self.message))

    def default_message(self):
        return _l("The request is not valid.")


class ValidationError(ExpoError):
    status = 422
    code = "validation_error"

    def default_message(self):
        return _l("Please correct the highlighted fields.")


class NotFound(ExpoError):
    """Also used for objects the user may not see, so their existence does not leak."""

    status = 404
    code = "not_found"

    def default_message(self):
        return _l("Not found.")


class Forbidden(ExpoError):
    status = 403
    code = "forbidden"

    def default_message(self):
        return _l("You do not have the right to do this.")


class Conflict(ExpoError):
    status = 409
    code = "conflict"

    def default_message(self):
        return _l("This conflicts with existing data.")


class Busy(ExpoError):
    """Every worker for this kind of work is taken (documents being filled or printed): try again."""

    status = 503
    code = "busy"

    def default_message(self):
        return _l("Expo is preparing other documents right now; try again in a moment.")
