"""Logging in and out, and choosing the interface language."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from expo.config import LOCALES
from expo.core.services.users import check_password, find_by_email
from expo.web.pages import safe_local_url

bp = Blueprint("auth", __name__)




@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()[:254]
        user = find_by_email(email) if email else None
        if user is None or not user.active or not check_password(user, request.form.get("password", "")):
            error = _("Wrong e-mail or password.")
        else:
            login_user(user)
            return redirect(safe_local_url(request.args.get("next")))
    return render_template("login.html", error=error, email=email), 401 if error else 200


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.post("/locale")
def set_locale():
    locale = request.form.get("locale")
    if locale in LOCALES:
        session["locale"] = locale
    return redirect(safe_local_url(request.form.get("next")))
