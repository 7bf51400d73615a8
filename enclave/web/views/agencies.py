"""Agency registry pages for admins: list with fingerprints, register, rotate a key, revoke.

The registry's functions run their own transactions and rewrite the trust
folders after committing, so each action lets go of the request's session
first. A refused form is shown again with what was typed (a public key and
a name are not secrets), and the problem above it.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from enclave.agencies import find_agency, list_agencies, register_agency, revoke_agency, rotate_agency_key
from enclave.db.models import Role
from enclave.errors import Conflict, InputError, NotFound
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.identity import acting_user, login_required, not_found
from enclave.web.messages import text

__all__ = ["blueprint"]

blueprint = Blueprint("agencies", __name__, url_prefix="/admin/agencies")

_PEM_LIMIT = 16384


def _form_text(name: str, limit: int = 300) -> str:
    return request.form.get(name, "")[:limit]


def _let_go() -> str:
    actor = acting_user().username
    end_db_session(commit=True)
    return actor


def _list_page(form: dict[str, str] | None = None, problem: str | None = None, status: int = 200) -> tuple[str, int]:
    agencies = list_agencies(db_session())
    return render_template("admin/agencies.html", agencies=agencies, form=form or {}, problem=problem), status


@blueprint.get("")
@login_required(Role.admin)
def agencies() -> tuple[str, int]:
    """Every agency with its state and active key's fingerprint, and the register form."""
    return _list_page()


@blueprint.post("")
@login_required(Role.admin)
def register() -> Response | tuple[str, int]:
    """Register an agency; its key's fingerprint is shown to read back to it."""
    form = {"code": _form_text("code", 64).strip(), "name": _form_text("name", 200),
            "signing_public_pem": _form_text("signing_public_pem", _PEM_LIMIT)}
    actor = _let_go()
    try:
        record = register_agency(current_service(), code=form["code"], name=form["name"],
                                 signing_public_pem=form["signing_public_pem"], actor=actor)
    except (InputError, Conflict) as error:
        # The registry's own transaction already recorded the refusal.
        return _list_page(form, error.message, error.status)
    key = record.active_key
    flash(text("agencies_page.registered", code=record.code, fingerprint=key.fingerprint if key else ""), "info")
    return redirect(url_for("agencies.agency", code=record.code))


def _detail_page(code: str, problem: str | None = None, pem: str = "", status: int = 200) -> tuple[str, int]:
    try:
        record = find_agency(db_session(), code)
    except NotFound:
        raise not_found() from None
    return render_template("admin/agency.html", agency=record, problem=problem, pem=pem), status


@blueprint.get("/<code>")
@login_required(Role.admin)
def agency(code: str) -> tuple[str, int]:
    """One agency: its users, every key it had, the rotate form and the way to revoke it."""
    return _detail_page(code)


@blueprint.post("/<code>/keys")
@login_required(Role.admin)
def rotate(code: str) -> Response | tuple[str, int]:
    """Replace the agency's signing key."""
    pem = _form_text("signing_public_pem", _PEM_LIMIT)
    compromised = request.form.get("compromised") == "on"
    actor = _let_go()
    try:
        record = rotate_agency_key(current_service(), code, pem, actor=actor, compromised=compromised)
    except NotFound:
        raise not_found() from None
    except (InputError, Conflict) as error:
        return _detail_page(code, error.message, pem, error.status)
    key = record.active_key
    flash(text("agencies_page.rotated", code=code, fingerprint=key.fingerprint if key else ""), "info")
    return redirect(url_for("agencies.agency", code=code))


@blueprint.get("/<code>/revoke")
@login_required(Role.admin)
def confirm_revoke(code: str) -> str:
    """Ask the admin to confirm by typing the agency's code."""
    try:
        record = find_agency(db_session(), code)
    except NotFound:
        raise not_found() from None
    return render_template("admin/agency_revoke.html", agency=record)


@blueprint.post("/<code>/revoke")
@login_required(Role.admin)
def revoke(code: str) -> Response:
    """Revoke the agency once its code was typed to confirm."""
    if request.form.get("confirm_code", "").strip() != code:
        raise InputError(text("agencies_page.confirm_mismatch"))
    actor = _let_go()
    try:
        record = revoke_agency(current_service(), code, actor=actor)
    except NotFound:
        raise not_found() from None
    flash(text("agencies_page.revoked", code=record.code, users=len(record.users)), "info")
    return redirect(url_for("agencies.agency", code=code))
