"""The linkage unit's web application: a JSON API only, for agencies and its operators.

Callers authenticate with a linkage-unit token (``Authorization: Bearer``),
issued by ``enclave linkage-unit tokens add``: agencies upload their
match-key packages, operators start linking. There are no pages and no
cookies. Errors answer ``{"error": message}``; a refusal that carries an
audit event is recorded in the linkage unit's own log after the refused work
rolled back, and unexpected errors are logged by class only.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from enclave.db.models import LinkageUnitToken, TokenHolder
from enclave.errors import AuthenticationError, EnclaveError, PermissionDenied
from enclave.linkage_unit.service import LinkageUnitService, open_linkage_unit_service
from enclave.linkage_unit.settings import LinkageUnitSettings, load_linkage_unit_settings
from enclave.linkage_unit.tokens import resolve_linkage_unit_token
from enclave.messages import text
from enclave.web.row_ids import bound_row_ids
from enclave.web.security_headers import add_security_headers

__all__ = ["acting_token", "create_linkage_unit_app", "current_linkage_unit", "token_required"]

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("enclave.linkage_unit")


def current_linkage_unit() -> LinkageUnitService:
    """The opened linkage unit this app serves."""
    return current_app.extensions["linkage_unit"]  # type: ignore[no-any-return]


def acting_token() -> LinkageUnitToken:
    """The caller's token, in a view that required one."""
    token: LinkageUnitToken | None = g.get("lu_token")
    if token is None:
        raise AuthenticationError(text("lu.token_required"))
    return token


def _load_token() -> None:
    g.lu_token = None
    header = request.headers.get("Authorization", "")
    if not header:
        return
    scheme, _, token = header.partition(" ")
    service = current_linkage_unit()
    refusal = {"actor": "unknown", "action": "lu.token", "outcome": "denied"}
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError(text("lu.token_required"), audit={**refusal, "reason": "scheme"})
    with service.db.session() as session:
        try:
            row = resolve_linkage_unit_token(session, token.strip())
        except AuthenticationError as error:
            error.audit = {**refusal, "reason": "unknown_token"}
            raise
        session.expunge(row)
    g.lu_token = row


def token_required(*holders: TokenHolder, project_scoped: bool = False) -> Callable[[F], F]:
    """Require a valid linkage-unit token, held by one of ``holders`` when any are given.

    ``project_scoped`` is accepted for the shared route registry; linkage-unit
    tokens are never scoped to a project.
    """

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = acting_token()
            if holders and token.holder not in holders:
                raise PermissionDenied(text("lu.wrong_holder", holder=token.holder.value), audit={
                    "actor": f"{token.holder.value}:{token.name}", "action": "lu.token", "outcome": "denied",
                    "object_type": "endpoint", "object_id": request.endpoint or "", "reason": "holder"})
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _answer_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


def create_linkage_unit_app(settings: LinkageUnitSettings | None = None,
                            service: LinkageUnitService | None = None) -> Flask:
    """Create the linkage unit's web application.

    Args:
        settings: Its settings; read from ``LINKAGE_UNIT_*`` variables when omitted.
        service: An opened linkage unit (tests pass their own); opened from ``settings`` otherwise.

    Raises:
        NotInitialized: ``enclave linkage-unit init`` has not been run.
    """
    if service is None:
        service = open_linkage_unit_service(settings or load_linkage_unit_settings())
    # Clear what killed processes left (safe while other processes write).
    service.sweep_interrupted_writes()
    app = Flask("enclave.linkage_unit")
    bound_row_ids(app)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["linkage_unit"] = service

    @app.before_request
    def _before() -> None:
        _load_token()

    app.after_request(add_security_headers)

    @app.errorhandler(EnclaveError)
    def _enclave_error(error: EnclaveError) -> tuple[Response, int]:
        if error.audit is not None:
            try:
                service.record_event(**error.audit)
            except Exception as audit_error:  # noqa: BLE001 — the answer must still go out
                log.error("could not record refusal audit event: %s", type(audit_error).__name__)
        status = error.status if 400 <= error.status < 600 else 500
        if status >= 500 and status != 502:
            log.warning("linkage unit error %s on %s", type(error).__name__, request.endpoint or "?")
            return _answer_error(status, text("lu.server_error"))
        return _answer_error(status, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[Response, int] | HTTPException:
        status = error.code or 500
        if status < 400:
            return error
        return _answer_error(status, text("lu.http_error", status=status))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        log.error("unexpected %s on %s", type(error).__name__, request.endpoint or "?")
        return _answer_error(500, text("lu.server_error"))

    from enclave.linkage_unit.api import LINKAGE_UNIT_API

    app.register_blueprint(LINKAGE_UNIT_API.blueprint)
    return app
