"""API routes of user administration (admins): sign a user out everywhere."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave.db.models import Role
from enclave.users import sign_out_everywhere
from enclave.web.api.spec import api_route
from enclave.web.database import current_service, db_session
from enclave.web.identity import acting_user

__all__: list[str] = []

_SIGNED_OUT = {"type": "object", "required": ["username", "sessions_ended"], "properties": {
    "username": {"type": "string"},
    "sessions_ended": {"type": "integer", "description": "Web sessions that were live and are now ended."}}}


@api_route("/users/<username>/sign-out", "POST", roles=(Role.admin,),
           summary="End every web session of a user (API tokens stay; disable the user to revoke those).",
           responses={200: ("How many sessions ended", _SIGNED_OUT)})
def sign_out_user(username: str) -> ResponseReturnValue:
    """Sign the user out everywhere (404 for an unknown user)."""
    ended = sign_out_everywhere(current_service(), db_session(), username, acting_user().username)
    return jsonify({"username": username, "sessions_ended": ended})
