"""Errors of the enclave service.

Every error carries a message a person can act on, an HTTP status for the web
layer and an exit code for the CLI. What a user reads (``str(error)``) is kept
apart from what operators log (``log_message``), and neither ever holds a
record value, identifier, match key, pseudonym or secret.

::

    EnclaveError                      500 / exit 1
    ├── ConfigurationError            500 / exit 2   settings, key file, start-up refusals
    ├── DatabaseError                 503 / exit 3
    │   ├── DatabaseUnreachable
    │   ├── SchemaTooNew
    │   └── NotInitialized
    ├── CryptoError                   500 / exit 4
    │   ├── WrongKeyFile
    │   ├── KeyShredded               410
    │   └── UnknownKey                404
    ├── StorageError                  500 / exit 5
    │   ├── ObjectIntegrityError
    │   └── ObjectMissing             404
    ├── InputError                    400 / exit 6   bad user input
    │   ├── DuplicateUser             409
    │   └── UnknownUser               404
    ├── AuthenticationError           401 / exit 7
    │   ├── SecondFactorError
    │   └── SessionEnded                 a web session ended, expired or revoked
    ├── PermissionDenied              403 / exit 8
    ├── NotFound                      404 / exit 9
    ├── Conflict                      409 / exit 10  a second click, a state that moved on
    └── AuditChainBroken              500 / exit 11
"""

from __future__ import annotations

__all__ = [
    "AuditChainBroken",
    "AuthenticationError",
    "ConfigurationError",
    "Conflict",
    "CryptoError",
    "DatabaseError",
    "DatabaseUnreachable",
    "DuplicateUser",
    "EnclaveError",
    "InputError",
    "KeyShredded",
    "NotFound",
    "NotInitialized",
    "ObjectIntegrityError",
    "ObjectMissing",
    "PermissionDenied",
    "SchemaTooNew",
    "SecondFactorError",
    "SessionEnded",
    "StorageError",
    "UnknownKey",
    "UnknownUser",
    "WrongKeyFile",
]


class EnclaveError(Exception):
    """Base of every error the enclave raises on purpose.

    Args:
        message: What the user reads: a sentence that says what to do next.
        log_message: What operators log, if it differs; never data values.
        audit: An audit event to record once the failed transaction has
            rolled back (a refusal must be on record even though the work
            it refused is not); keyword arguments of ``AuditLog.record``.
    """

    status: int = 500
    exit_code: int = 1

    def __init__(
        self, message: str, *, log_message: str | None = None, audit: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.log_message = log_message or message
        self.audit = audit


class ConfigurationError(EnclaveError):
    """Settings or key material are missing, malformed or unsafe."""

    exit_code = 2


class DatabaseError(EnclaveError):
    """The database cannot be used as it is."""

    status = 503
    exit_code = 3


class DatabaseUnreachable(DatabaseError):
    """No connection to the configured database."""


class SchemaTooNew(DatabaseError):
    """The database was migrated by a newer version of the software."""


class NotInitialized(DatabaseError):
    """The database has no enclave schema yet."""


class CryptoError(EnclaveError):
    """Key material cannot be used."""

    exit_code = 4


class WrongKeyFile(CryptoError):
    """A data key does not unwrap under the key file in use."""


class KeyShredded(CryptoError):
    """The data key was destroyed on purpose; its data is gone for good."""

    status = 410


class UnknownKey(CryptoError):
    """No data key with that id."""

    status = 404


class StorageError(EnclaveError):
    """An encrypted object cannot be stored or read."""

    exit_code = 5


class ObjectIntegrityError(StorageError):
    """A stored object was altered, truncated or swapped."""


class ObjectMissing(StorageError):
    """No stored object with that id."""

    status = 404


class InputError(EnclaveError):
    """The user's input cannot be accepted as given."""

    status = 400
    exit_code = 6


class DuplicateUser(InputError):
    """A user with that name exists already."""

    status = 409


class UnknownUser(InputError):
    """No user with that name."""

    status = 404


class AuthenticationError(EnclaveError):
    """Who is asking could not be established."""

    status = 401
    exit_code = 7


class SecondFactorError(AuthenticationError):
    """The one-time code is missing, wrong or reused."""


class SessionEnded(AuthenticationError):
    """A web session is unknown, ended, or past its idle limit or lifetime.

    Args:
        message: What the user reads.
        reason: ``unknown``, ``revoked``, ``idle`` or ``lifetime``; the login
            page says which.
    """

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class PermissionDenied(EnclaveError):
    """The actor may not do this to this object."""

    status = 403
    exit_code = 8


class NotFound(EnclaveError):
    """The object does not exist, or the actor may not know it exists."""

    status = 404
    exit_code = 9


class Conflict(EnclaveError):
    """The object's state moved on: a second click, a replay, a race."""

    status = 409
    exit_code = 10


class AuditChainBroken(EnclaveError):
    """The audit log's hash chain or MACs do not verify."""

    exit_code = 11

    def __init__(self, message: str, *, seq: int, reason: str = "") -> None:
        super().__init__(message)
        self.seq = seq
        self.reason = reason
