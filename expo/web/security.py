"""HTTP hardening: security headers, cookie flags, the proxy in front, login throttling.

Settings (see the operator guide's security section): ``EXPO_HTTPS`` (Secure cookies and HSTS),
``EXPO_PROXY_COUNT`` (how many reverse proxies to trust for the client address and scheme), and
``EXPO_LOGIN_LIMIT_ACCOUNT`` / ``EXPO_LOGIN_LIMIT_ADDRESS`` (failed logins allowed per account and
per client address, in the ``limits`` notation: "10 per 15 minutes").
"""
from __future__ import annotations

import math
import time

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# Self only. htmx runs without eval (allowEval=false in base.html) and without injecting its own
# <style> (includeIndicatorStyles=false); pages have no inline scripts or styles.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                           "form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    https = app.config["HTTPS"]
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SECURE=https,
                      PREFERRED_URL_SCHEME="https" if https else "http")
    if app.config["PROXY_COUNT"]:
        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.after_request
    def _security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    _throttle_logins(app)


def _account() -> str:
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _failed(response) -> bool:
    return response.status_code == 401


def _throttle_logins(app: Flask) -> None:
    """Count failed logins per account and per client address; past either limit, 429 + Retry-After.

    Only failures count, so people who log in often (and the test suite) never meet the limit.
    One limiter per app: its storage is Redis when configured (shared by every web process), else
    this process's memory; Redis down falls back to memory rather than locking everyone out.
    """
    limiter = Limiter(get_remote_address, app=app, storage_uri=app.config["REDIS_URL"] or "memory://",
                      strategy="moving-window", key_prefix="expo-login", headers_enabled=True,
                      in_memory_fallback_enabled=True, swallow_errors=True, default_limits=[])
    view = app.view_functions["auth.login"]
    for scope, key, setting in (("account", _account, "LOGIN_LIMIT_ACCOUNT"),
                                ("address", get_remote_address, "LOGIN_LIMIT_ADDRESS")):
        view = limiter.limit(lambda setting=setting: current_app.config[setting], key_func=key, methods=["POST"],
                             deduct_when=_failed, scope=f"login-{scope}")(view)
    app.view_functions["auth.login"] = view
    # Only the login is limited: every other request skips the limiter's look-up of its limits.
    limiter.request_filter(lambda: request.endpoint != "auth.login")
    app.extensions["expo.limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def _too_many(_error):
        # Flask-Limiter adds Retry-After (seconds) to this response; the page says it in minutes.
        current = limiter.current_limit
        wait = max(1, math.ceil(current.reset_at - time.time())) if current else 60
        message = _("Too many failed logins. Try again in %(minutes)d min.", minutes=math.ceil(wait / 60))
        return render_template("login.html", error=message, email=request.form.get("email", "")), 429
