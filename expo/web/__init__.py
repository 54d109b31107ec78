"""The web layer: one blueprint per area, plus the JSON API under /api/v1."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, has_request_context, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from expo import ROOT
from expo.core import db
from expo.core.errors import Conflict, ExpoError
from expo.core.services import notifications
from expo.core.services.users import user_for_session

csrf = CSRFProtect()
HTMX_DIST = ROOT / "node_modules" / "htmx.org" / "dist"


def register_web(app: Flask) -> None:
    from expo.web import (admin, api, auth, clients, engagements, exhibitions, home, imports, pick_lists, reports,
                          scenarios, security,
                          tasks)
    from expo.web.links import RecordUrls, TemplateUrls
    from expo.web.menu import MainMenu

    Htmx(app)
    csrf.init_app(app)
    login = LoginManager(app)
    login.login_view = "auth.login"
    login.login_message = None

    @login.user_loader
    def _load_user(session_token: str):
        return user_for_session(session_token)  # None once logged out (or deactivated)

    @login.unauthorized_handler
    def _to_login():
        # An HTMX fragment request would swap the whole login page into the list it refreshes:
        # send the browser to the login page instead (and back here afterwards).
        if request.htmx:
            page = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = page.path + (f"?{page.query}" if page.query else "") if page.path else None
            return "", 401, {"HX-Redirect": url_for("auth.login", next=back)}
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?") if request.method == "GET" else None))

    for module in (auth, home, clients, imports, exhibitions, engagements, scenarios, tasks, reports, admin,
                   pick_lists):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)  # bearer tokens, no cookies: nothing for a forged request to ride on
    security.init_app(app)  # headers, cookie flags, login throttling (wraps the login view)

    # htmx is an npm dependency (package.json), served from here, never from a CDN. Without it
    # (no npm at set-up) pages still work as plain links and forms.
    htmx_available = (HTMX_DIST / "htmx.min.js").is_file()

    @app.get("/vendor/htmx.min.js")
    def htmx_js():
        return send_from_directory(HTMX_DIST, "htmx.min.js", max_age=86400)

    app.jinja_env.globals["record_url"] = RecordUrls(app)
    app.jinja_env.globals["url_for"] = template_url = TemplateUrls(app)
    app.jinja_env.globals["main_menu"] = MainMenu()

    @app.context_processor
    def _layout():
        # Callables, so a fragment that does not show the navigation costs no query.
        def unread():
            if not current_user.is_authenticated:
                return 0
            known = getattr(current_user, "unread_notifications", None)  # read with the session
            return notifications.unread_count(current_user) if known is None else known

        return {"unread_notifications": unread, "firm_name": app.config["FIRM_NAME"],
                # Jobs render templates (reports) outside any request: no URLs to build there.
                "htmx_url": template_url("htmx_js") if htmx_available and has_request_context() else None}

    @app.errorhandler(CSRFError)
    def _csrf_error(error):
        return _error_page(400, _("The form has expired or was not sent from Expo. Reload and try again."))

    @app.errorhandler(ExpoError)
    def _expo_error(error: ExpoError):
        db.rollback()
        return _error_page(error.status, str(error.message), error.fields)

    @app.errorhandler(StaleDataError)
    @app.errorhandler(IntegrityError)
    def _conflict(_error):
        # A concurrent request won the race (same transition, same unique key): nothing was written.
        db.rollback()
        return _error_page(409, str(Conflict().message))

    @app.errorhandler(OperationalError)
    def _busy(error):
        try:
            db.rollback()
        except OperationalError:
            pass  # the connection is gone; the pool replaces it on the next checkout (pre-ping)
        if "locked" in str(error.orig).lower():  # SQLite: another writer held the database
            return _error_page(409, _("The database is busy; try again."))
        # The server went away (restart, network): nothing was committed; the next request reconnects.
        app.logger.warning("database unavailable: %s", error.orig)
        return _error_page(503, _("The database is unavailable right now; try again shortly."))

    @app.before_request
    def _refuse_control_characters():
        # NUL cannot be stored (PostgreSQL refuses it) and never belongs in a query or form.
        # (only a form body is parsed into ``request.form``: asking any other request builds an empty one)
        has_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
        values = [*request.args.values(), *(request.form.values() if has_form else ())]
        if any("\x00" in value for value in values):
            return _error_page(400, _("The request contains a NUL character."))
        return None

    for status, message in HTTP_ERRORS.items():
        app.register_error_handler(status, _http_error(status, message))


HTTP_ERRORS = {
    400: _l("Bad request."),
    403: _l("You do not have the right to do this."),
    404: _l("Page not found."),
    405: _l("Method not allowed."),
    413: _l("The upload is too large."),
    500: _l("Something went wrong on our side; the error was logged."),
}


def _http_error(status: int, message):
    def handler(error):
        if status == 500:
            db.rollback()
        response = _error_page(status, str(message))
        if status == 405 and getattr(error, "valid_methods", None):
            # RFC 9110: a 405 says which methods the URL does take.
            return (*response, {"Allow": ", ".join(error.valid_methods)})
        return response

    return handler


def _error_page(status: int, message: str, details: dict | None = None):
    if request.path.startswith("/api/"):
        from expo.web.api.errors import error_response

        return error_response(status, {400: "bad_request", 403: "forbidden", 404: "not_found",
                                       405: "method_not_allowed", 409: "conflict", 413: "too_large",
                                       500: "server_error", 503: "unavailable"}.get(status, "error"),
                              message, details)
    return render_template("error.html", status=status, message=message, details=details or {}), status
