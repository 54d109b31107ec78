"""HTTP hardening: security headers, cookie flags, the proxy in front, login throttling.

Settings (see the operator guide's security section): ``EXPO_HTTPS`` (Secure cookies and HSTS),
``EXPO_PROXY_COUNT`` (how many reverse proxies to trust for the client address and scheme), and
``EXPO_LOGIN_LIMIT_ACCOUNT`` / ``EXPO_LOGIN_LIMIT_ADDRESS`` (failed logins allowed per account and
per client address, in the ``limits`` notation: "10 per 15 minutes").
"""
from __future__ import annotations

import math
import time
from functools import wraps

from flask import Flask, render_template, request
from flask_babel import gettext as _
from limits import parse_many
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
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


def _address() -> str:
    return "address:" + (request.remote_addr or "unknown")  # the proxy's client address (ProxyFix)


class LoginThrottle:
    """Failed logins counted per account and per client address, in a moving window (``limits``,
    the library under Flask-Limiter); past either limit the login answers 429 before it checks
    the password.

    Only failures count, so people who log in often (and the test suite) never meet the limit.
    Storage is Redis when configured (shared by every web process), else this process's memory;
    Redis down falls back to memory rather than locking everyone out, and is tried again a minute
    later. The login view alone asks it: Flask-Limiter's hooks ran on every request, 0.4 ms of each
    page (docs/decisions/0026-fixed-cost-per-request.md).
    """

    RETRY_STORAGE = 60  # seconds on the memory fallback before Redis is tried again

    def __init__(self, app: Flask):
        self.app = app
        self.memory = MovingWindowRateLimiter(MemoryStorage())
        uri = app.config["REDIS_URL"]
        self.shared = MovingWindowRateLimiter(storage_from_string(uri)) if uri else None
        self.shared_failed_at: float | None = None  # when Redis last failed (monotonic clock)

    def wait_seconds(self) -> int:
        """How long this login attempt must wait (0: it may go on): until every limit it is past
        lets it in again."""
        waits = [self._ask("get_window_stats", limit, *key).reset_time - time.time()
                 for limit, *key in self._limits() if not self._ask("test", limit, *key)]
        return max(1, math.ceil(max(waits))) if waits else 0

    def count_failure(self) -> None:
        for limit, *key in self._limits():
            self._ask("hit", limit, *key)

    def _limits(self):
        """Each limit of both settings (a setting may hold several: "10 per 15 minutes; 50 per day")."""
        return [(limit, "expo-login", scope, key())
                for scope, key, setting in (("account", _account, "LOGIN_LIMIT_ACCOUNT"),
                                            ("address", _address, "LOGIN_LIMIT_ADDRESS"))
                for limit in parse_many(self.app.config[setting])]

    def _ask(self, method: str, *arguments):
        failed_at = self.shared_failed_at
        if self.shared is not None and (failed_at is None or time.monotonic() - failed_at > self.RETRY_STORAGE):
            try:
                return getattr(self.shared, method)(*arguments)
            except Exception as problem:  # Redis down or unreachable: whatever the client raised
                self.shared_failed_at = time.monotonic()
                self.app.logger.warning("login throttling falls back to memory: %s", problem)
        return getattr(self.memory, method)(*arguments)


def _throttle_logins(app: Flask) -> None:
    """The login view, counting its failures (401) and refusing attempts past the limits."""
    throttle = app.extensions["expo.login_throttle"] = LoginThrottle(app)
    view = app.view_functions["auth.login"]

    @wraps(view)
    def throttled(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        wait = throttle.wait_seconds()
        if wait:
            message = _("Too many failed logins. Try again in %(minutes)d min.", minutes=math.ceil(wait / 60))
            page = render_template("login.html", error=message, email=request.form.get("email", ""))
            return page, 429, {"Retry-After": str(wait)}
        response = app.make_response(view(*args, **kwargs))
        if response.status_code == 401:
            throttle.count_failure()
        return response

    app.view_functions["auth.login"] = throttled
