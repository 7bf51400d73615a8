"""Error answers: a page for people, ``{"error": message}`` for programs.

An error page shows the error's own message (written to tell the reader what
to do, never holding a value) or a fixed sentence for its status. It never
echoes what was sent: no form field, path segment or query value comes back.
Unexpected exceptions are logged by class and endpoint only, because their
text can carry data.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from enclave.errors import EnclaveError
from enclave.web.database import current_service, current_settings, end_db_session
from enclave.web.identity import is_api_request
from enclave.web.messages import MESSAGES, text

__all__ = ["register_error_handlers", "render_error"]

log = logging.getLogger("enclave.web")


def _generic(status: int) -> str:
    if status == 413:
        return text("error.413", limit=current_settings().upload_max_mb)
    key = f"error.{status}"
    return text(key) if key in MESSAGES else text("error.400" if status < 500 else "error.500")


def render_error(status: int, message: str) -> tuple[Response | str, int]:
    """Answer with ``message`` and ``status`` as JSON or as a page."""
    if is_api_request():
        return jsonify({"error": message}), status
    g.is_error_page = True
    return render_template("error.html", status=status, message=message), status


def handle_enclave_error(error: EnclaveError) -> tuple[Response | str, int]:
    """Roll back the request's work, record the refusal if it carries one, answer."""
    end_db_session(commit=False)
    if error.audit is not None:
        try:
            current_service().record_event(**error.audit)
        except Exception as audit_error:  # noqa: BLE001 — the answer must still go out
            log.error("could not record refusal audit event: %s", type(audit_error).__name__)
    status = error.status if 400 <= error.status < 600 else 500
    if status >= 500:
        log.warning("enclave error %s on %s", type(error).__name__, request.endpoint or "?")
        # Server-side failures can name paths or settings: give the fixed sentence.
        return render_error(status, _generic(status) if status != 503 else text("error.503"))
    return render_error(status, error.message)


def handle_http_error(error: HTTPException) -> tuple[Response | str, int] | HTTPException:
    """Turn werkzeug's errors (404, 405, 413 …) into our pages; redirects pass through."""
    end_db_session(commit=False)
    status = error.code or 500
    if status < 400:
        return error
    return render_error(status, _generic(status))


def handle_unexpected(error: Exception) -> tuple[Response | str, int]:
    """Log the class of an unexpected error (never its text) and answer 500."""
    end_db_session(commit=False)
    log.error("unexpected %s on %s", type(error).__name__, request.endpoint or "?")
    return render_error(500, text("error.500"))


def register_error_handlers(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(EnclaveError, handle_enclave_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_unexpected)
