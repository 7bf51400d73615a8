"""Errors the web layer raises itself, on top of :mod:`enclave.errors`.

Every one is an :class:`~enclave.errors.EnclaveError`, so the same handler
turns it into a page or a JSON answer with its ``status``::

    EnclaveError
    ├── InputError                    400
    │   └── CsrfRejected              400  form without the session's CSRF token
    ├── AuthenticationError           401
    │   └── SessionExpired            401  too long without activity
    ├── PermissionDenied              403
    │   └── TokenScopeDenied          403  project-scoped token used elsewhere
    ├── PayloadTooLarge               413  upload over ENCLAVE_UPLOAD_MAX_MB
    └── TooManyAttempts               429  login rate limit
"""

from __future__ import annotations

from enclave.errors import AuthenticationError, EnclaveError, InputError, PermissionDenied

__all__ = ["CsrfRejected", "PayloadTooLarge", "SessionExpired", "TokenScopeDenied", "TooManyAttempts"]


class CsrfRejected(InputError):
    """A form arrived without this session's CSRF token; nothing was done."""


class SessionExpired(AuthenticationError):
    """The web session passed ``session_minutes`` without activity."""


class TokenScopeDenied(PermissionDenied):
    """An API token scoped to one project was used on another."""


class PayloadTooLarge(EnclaveError):
    """An upload is larger than the configured limit."""

    status = 413
    exit_code = 6


class TooManyAttempts(EnclaveError):
    """Too many failed logins for one account from one address."""

    status = 429
    exit_code = 7
