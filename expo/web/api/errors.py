"""The API's error shape: {"error": {"code", "message", "fields"}} with a 4xx status."""
from __future__ import annotations

from flask import jsonify


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return jsonify(body), status
