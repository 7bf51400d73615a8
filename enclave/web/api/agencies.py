"""API routes of the agency registry (admins): register, list, rotate a key, revoke.

The registry's functions run their own transactions and rewrite the trust
folders after committing, so each route lets go of the request's session first.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask.typing import ResponseReturnValue

from enclave import agencies as registry
from enclave.db.models import Role
from enclave.errors import InputError
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session, end_db_session
from enclave.web.identity import acting_user
from enclave.web.messages import text

__all__: list[str] = []

_ADMIN = (Role.admin,)
_KEY = {"type": "object", "properties": {
    "fingerprint": {"type": "string", "pattern": "^sha256:[0-9a-f]{32}$"},
    "state": {"type": "string", "enum": ["active", "retired", "revoked"]}, "pem": {"type": "string"},
    "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "retired_by": {"type": ["string", "null"]},
    "retired_at": {"type": ["string", "null"], "format": "date-time"}}}
_AGENCY = {"type": "object", "required": ["code", "name", "state", "fingerprint", "keys"], "properties": {
    "code": {"type": "string"}, "name": {"type": "string"}, "state": {"type": "string", "enum": ["active", "revoked"]},
    "fingerprint": {"type": ["string", "null"], "description": "The active signing key's fingerprint."},
    "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"},
    "revoked_by": {"type": ["string", "null"]}, "revoked_at": {"type": ["string", "null"], "format": "date-time"},
    "users": {"type": "array", "items": {"type": "string"}}, "keys": {"type": "array", "items": _KEY}}}
_REGISTER = {"type": "object", "required": ["code", "name", "signing_public_pem"], "properties": {
    "code": {"type": "string", "pattern": "^[a-z][a-z0-9_-]{1,63}$"}, "name": {"type": "string"},
    "signing_public_pem": {"type": "string", "description": "The agency's Ed25519 public key (PEM)."}}}
_ROTATE = {"type": "object", "required": ["signing_public_pem"], "properties": {
    "signing_public_pem": {"type": "string", "description": "The agency's new Ed25519 public key (PEM)."},
    "compromised": {"type": "boolean", "default": False,
                    "description": "Revoke the old key instead of retiring it."}}}


def _body(*required: str) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InputError(text("error.bad_json"))
    missing = [f for f in required if not isinstance(body.get(f), str) or not body[f].strip()]
    if missing:
        raise InputError(" ".join(text("error.missing_field", field=f) for f in missing))
    return body


def _let_go() -> str:
    # The registry commits on its own and then rewrites the trust folders.
    actor = acting_user().username
    end_db_session(commit=True)
    return actor


@api_route("/agencies", "GET", roles=_ADMIN, summary="Registered agencies with their keys and fingerprints.",
           responses={200: ("Agencies", {"type": "array", "items": _AGENCY})})
def list_agencies() -> ResponseReturnValue:
    """Every agency, by code."""
    return jsonify([a.to_dict() for a in registry.list_agencies(db_session())])


@api_route("/agencies/<code>", "GET", roles=_ADMIN, summary="One agency with every key it had.",
           responses={200: ("The agency", _AGENCY)})
def get_agency(code: str) -> ResponseReturnValue:
    """One agency."""
    return jsonify(registry.find_agency(db_session(), code).to_dict())


@api_route("/agencies", "POST", roles=_ADMIN, request_schema=_REGISTER,
           summary="Register an agency with its signing public key; confirm the fingerprint with it out of band.",
           responses={201: ("The registered agency", _AGENCY)})
def register_agency() -> ResponseReturnValue:
    """Register an agency (409 when the code or the key is registered already)."""
    body = _body("code", "name", "signing_public_pem")
    actor = _let_go()
    record = registry.register_agency(current_service(), code=body["code"].strip(), name=body["name"],
                             signing_public_pem=body["signing_public_pem"], actor=actor)
    return jsonify(record.to_dict()), 201


@api_route("/agencies/<code>/keys", "POST", roles=_ADMIN, request_schema=_ROTATE,
           summary="Rotate an agency's signing key; packages signed with the old key are refused from now on.",
           responses={200: ("The agency with its new key", _AGENCY)})
def rotate_agency_key(code: str) -> ResponseReturnValue:
    """Rotate the agency's key."""
    body = _body("signing_public_pem")
    compromised = body.get("compromised", False)
    if not isinstance(compromised, bool):
        raise InputError(text("error.missing_field", field="compromised"))
    actor = _let_go()
    record = registry.rotate_agency_key(current_service(), code, body["signing_public_pem"], actor=actor,
                               compromised=compromised)
    return jsonify(record.to_dict())


@api_route("/agencies/<code>/revoke", "POST", roles=_ADMIN,
           summary="Revoke an agency: its keys are no longer trusted and its users are disabled (final).",
           responses={200: ("The revoked agency", _AGENCY)})
def revoke_agency(code: str) -> ResponseReturnValue:
    """Revoke the agency (409 when it is revoked already)."""
    actor = _let_go()
    return jsonify(registry.revoke_agency(current_service(), code, actor=actor).to_dict())
