"""CSRF protection: a random token per session, required on every form.

The API is exempt because it never reads the session cookie: it accepts only
``Authorization: Bearer`` tokens, which a foreign page cannot make a browser send.
"""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

from enclave.web.errors import CsrfRejected
from enclave.web.messages import text

__all__ = ["FIELD", "check_csrf", "csrf_token"]

#: Name of the hidden form field carrying the token.
FIELD = "csrf_token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def csrf_token() -> str:
    """The session's token, created on first use (templates call this)."""
    token = session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return str(token)


def check_csrf() -> None:
    """Refuse an unsafe request whose form lacks the session's token.

    Raises:
        CsrfRejected: The token is missing or wrong; nothing has been done yet.
    """
    if request.method not in _UNSAFE:
        return
    expected = session.get("csrf")
    sent = request.form.get(FIELD, "")
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        raise CsrfRejected(text("error.csrf"))
