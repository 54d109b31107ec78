"""Logging in and out, and choosing the interface language."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from expo.config import LOCALES
from expo.core import db
from expo.core.services.users import authenticate, end_session, start_session
from expo.web.pages import safe_local_url

bp = Blueprint("auth", __name__)  # the login view is throttled in expo.web.security

@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()[:254]
        user = authenticate(email, request.form.get("password", ""))
        if user is None:
            error = _("Wrong e-mail or password.")
        else:
            # The cookie is signed and rewritten here: a copy taken before the login holds no session.
            start_session(user)
            db.commit()
            login_user(user)
            return redirect(safe_local_url(request.args.get("next")))
    return render_template("login.html", error=error, email=email), 401 if error else 200


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        end_session(current_user.session_token)  # a copy of the cookie stops working too
        db.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.post("/locale")
def set_locale():
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(safe_local_url(request.form.get("next")))
