"""User administration for admins: list, add (TOTP URI shown once), disable, sign out everywhere."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from enclave.db.models import Agency, AgencyState, Role, User
from enclave.errors import InputError
from enclave.users import add_user, disable_user, provisioning_uri, sign_out_everywhere
from enclave.web.database import current_service, db_session
from enclave.web.identity import current_user, login_required
from enclave.web.messages import label, text

__all__ = ["blueprint"]

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def _render_users(enrolment: tuple[str, str] | None = None) -> str:
    users = db_session().scalars(select(User).order_by(User.username)).all()
    # Agency users must name a registered, active agency: offer those codes.
    agencies = db_session().scalars(select(Agency.code).where(Agency.state == AgencyState.active)
                                    .order_by(Agency.code)).all()
    return render_template("admin/users.html", users=users, roles=[r.value for r in Role],
                           enrolment=enrolment, agencies=agencies)


@blueprint.get("/users")
@login_required(Role.admin)
def users() -> str:
    """List every user with role, status and second factor."""
    return _render_users()


@blueprint.post("/users")
@login_required(Role.admin)
def add() -> str | tuple[str, int]:
    """Add a user; a steward's or admin's enrolment URI is shown on this page only."""
    actor = current_user()
    assert actor is not None
    form = request.form
    new = add_user(current_service(), db_session(), username=form.get("username", "").strip(),
                   role=form.get("role", ""), password=form.get("password", ""),
                   actor=actor.username, display_name=form.get("display_name", "").strip(),
                   agency_code=form.get("agency_code", "").strip() or None)
    flash(text("users.added", role=label(new.user.role), username=new.user.username), "info")
    enrolment = None
    if new.totp_secret is not None:
        enrolment = (new.user.username, provisioning_uri(new.totp_secret, new.user.username))
    # Rendered, not redirected: the URI must not survive in a flash cookie or a URL.
    return _render_users(enrolment), 200


@blueprint.post("/users/<username>/disable")
@login_required(Role.admin)
def disable(username: str) -> Response:
    """Disable a user and revoke their tokens."""
    actor = current_user()
    assert actor is not None
    if username == actor.username:
        raise InputError(text("users.self_disable"))
    disable_user(current_service(), db_session(), username, actor.username)
    flash(text("users.disabled", username=username), "info")
    return redirect(url_for("admin.users"))


@blueprint.post("/users/<username>/sign-out")
@login_required(Role.admin)
def sign_out(username: str) -> Response:
    """End every web session of a user (a lost laptop, a suspected stolen cookie)."""
    actor = current_user()
    assert actor is not None
    ended = sign_out_everywhere(current_service(), db_session(), username, actor.username)
    flash(text("users.signed_out", username=username, count=ended), "info")
    return redirect(url_for("admin.users"))
