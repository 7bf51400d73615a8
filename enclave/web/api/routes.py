"""The API's routes. Each states its roles and schemas through :func:`api_route`."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from enclave.web.api.spec import api_route, openapi_document
from enclave.web.database import current_settings
from enclave.web.identity import current_user

__all__: list[str] = []

_USER = {"type": "object", "properties": {
    "username": {"type": "string"}, "role": {"type": "string"},
    "agency_code": {"type": ["string", "null"]}, "token_scope": {"type": "string"}}}


@api_route("/openapi.json", "GET", summary="This document.", public=True,
           responses={200: ("The OpenAPI 3.1 document", {"type": "object"})})
def openapi() -> ResponseReturnValue:
    """Serve the OpenAPI document."""
    return jsonify(openapi_document(current_settings().public_url))


@api_route("/me", "GET", summary="Who the token belongs to, and its scope.",
           responses={200: ("The token's user", _USER)})
def me() -> ResponseReturnValue:
    """Describe the caller: user name, role, agency and token scope (never the token)."""
    from flask import g

    user = current_user()
    assert user is not None
    body: dict[str, Any] = {"username": user.username, "role": user.role.value,
                            "agency_code": user.agency_code, "token_scope": g.token.scope if g.token else ""}
    return jsonify(body)
