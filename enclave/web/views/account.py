"""Your account: the sessions you are signed in with, and your password."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from enclave.db.models import SessionEnd, WebSession
from enclave.errors import InputError
from enclave.users import change_password, end_session, live_sessions_of
from enclave.web.database import current_service, current_settings, db_session
from enclave.web.identity import acting_user, current_web_session, log_out, login_required, not_found
from enclave.web.messages import text

__all__ = ["blueprint"]

blueprint = Blueprint("account", __name__, url_prefix="/account")


@blueprint.get("")
@login_required()
def overview() -> str:
    """List the viewer's live sessions (this one marked) and offer a password change."""
    user = acting_user()
    idle = dt.timedelta(minutes=current_settings().session_minutes)
    return render_template("account.html", sessions=live_sessions_of(db_session(), user, idle=idle),
                           current=current_web_session())


@blueprint.post("/sessions/<int:session_id>/end")
@login_required()
def end(session_id: int) -> Response:
    """End one of the viewer's own sessions; ending this one logs out."""
    user = acting_user()
    row = db_session().scalar(select(WebSession).where(WebSession.id == session_id,
                                                        WebSession.user_id == user.id))
    # Another user's session is "not found": its id says nothing to this viewer.
    if row is None:
        raise not_found()
    current = current_web_session()
    end_session(current_service(), db_session(), row, SessionEnd.ended_by_user, actor=user.username)
    if current is not None and row.id == current.id:
        log_out()
        flash(text("login.logged_out"), "info")
        return redirect(url_for("auth.login"))
    flash(text("account.session_ended", client=row.client or "?"), "info")
    return redirect(url_for("account.overview"))


@blueprint.post("/password")
@login_required()
def password() -> Response:
    """Change the viewer's password; every other session of theirs ends."""
    user = acting_user()
    new = request.form.get("new_password", "")
    if new != request.form.get("repeat_password", ""):
        raise InputError(text("account.passwords_differ"))
    ended = change_password(current_service(), db_session(), user, new, actor=user.username,
                            current_password=request.form.get("current_password", ""),
                            keep=current_web_session())
    flash(text("account.password_changed", count=ended), "info")
    return redirect(url_for("account.overview"))
