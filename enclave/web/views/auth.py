"""Start page, login with password and second factor, logout."""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from enclave.errors import AuthenticationError
from enclave.users import authenticate
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.errors import TooManyAttempts
from enclave.web.identity import current_user, log_in, log_out, login_required
from enclave.web.messages import text

__all__ = ["blueprint"]

blueprint = Blueprint("auth", __name__)


def _is_plain_path(candidate: str) -> bool:
    # Browsers drop tabs and newlines anywhere in a URL and read a backslash as
    # a slash, so "/\t/evil" and "/\\evil" both become "//evil": a host, not a path.
    return (candidate.startswith("/") and not candidate.startswith("//") and "\\" not in candidate
            and not any(unicodedata.category(ch) == "Cc" for ch in candidate))


def _safe_next(target: str | None) -> str | None:
    """Return ``target`` if it is a plain path on this site, else ``None``.

    Only paths on this site: an absolute or scheme-relative URL would make the
    login page an open redirect. The test runs on the value as a browser will
    read it (raw and percent-decoded), never on a form a later step changes.
    """
    if not target or len(target) > 2000 or any(ch.isspace() for ch in target):
        return None
    if not (_is_plain_path(target) and _is_plain_path(unquote(target))):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@blueprint.get("/")
def home() -> str:
    """The start page: what the service is and where to go."""
    return render_template("home.html")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    """Show the login form, or check a login.

    Attempts are counted per account and address (in the database, shared by
    every worker) and forgiven on success; the sixth failure within the window
    is refused with 429 before the password is even checked.
    """
    if request.method == "GET":
        expired = request.args.get("expired")
        settings = current_app.extensions["enclave"].settings
        if expired == "lifetime":
            flash(text("login.lifetime", hours=settings.session_absolute_hours), "warning")
        elif expired == "ended":
            flash(text("login.ended"), "warning")
        elif expired:
            flash(text("login.expired", minutes=settings.session_minutes), "warning")
        elif request.args.get("next") and current_user() is None:
            flash(text("login.required"), "info")
        return render_template("login.html", next=_safe_next(request.args.get("next")))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    code = request.form.get("totp", "").strip() or None
    address = request.remote_addr or "unknown"
    limiter = current_app.extensions["enclave"].login_limiter
    # The limiter counts in a transaction of its own, which on SQLite must not
    # wait behind this request's (a logged-in visitor's cookie opened one).
    end_db_session(commit=False)
    if not limiter.try_attempt(username, address):
        minutes = limiter.window_seconds // 60
        raise TooManyAttempts(text("login.rate_limited", minutes=minutes), audit={
            "actor": "unknown", "action": "user.login", "object_type": "user", "object_id": "",
            "outcome": "denied", "reason": "rate_limited", "channel": "web"})
    try:
        user = authenticate(current_service(), db_session(), username, password, code, channel="web")
    except AuthenticationError as error:
        # The attempt stays counted; only a successful login forgives it.
        end_db_session(commit=False)
        if error.audit is not None:
            current_service().record_event(**error.audit)
        flash(error.message, "error")
        return render_template("login.html", next=_safe_next(request.form.get("next"))), error.status
    limiter.reset(db_session(), username, address)
    log_in(user)
    flash(text("login.welcome", username=user.username), "info")
    return redirect(_safe_next(request.form.get("next")) or url_for("auth.home"))


@blueprint.post("/logout")
@login_required()
def logout() -> Response:
    """End the session: in the database, so a saved copy of the cookie opens nothing."""
    log_out()
    flash(text("login.logged_out"), "info")
    return redirect(url_for("auth.login"))
