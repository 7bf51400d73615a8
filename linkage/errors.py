"""Errors of the linkage library.

Every error carries a sentence a person can act on (``str(error)``, translated
through :mod:`linkage.messages`) and an exit code for the CLI. Messages name
files, columns, row numbers and counts, never a record value, identifier,
match key, link id or secret.

::

    LinkageError                         exit 1
    ├── PolicyError                      exit 2   identifier schema / match-key scheme files
    ├── InputFileError                   exit 3   the agency's source file
    │   ├── EncodingError                         neither UTF-8 nor CP949
    │   └── ColumnMismatchError                   missing and extra columns, all at once
    ├── KeyFileError                     exit 4   party keys and linkage secrets
    ├── PackageError                     exit 5   sealed packages
    │   ├── TruncatedPackageError                 cut short or not a package at all
    │   ├── UnknownSignerError                    signed by an agency nobody trusts
    │   ├── BadSignatureError                     signature does not verify (tampered)
    │   ├── WrongRecipientError                   sealed to someone else
    │   ├── ReplayedPackageError                  the same package arrived twice
    │   ├── CorruptedPayloadError                 decrypts wrong or hash differs
    │   ├── MalformedManifestError                manifest fields of the wrong type, nesting or size
    │   └── UnexpectedPackageError                wrong kind / project / scheme
    ├── LinkingError                     exit 6   inputs the linkage unit cannot link
    ├── PublicKeyMismatchError           exit 8   fetched keys: wrong type, fingerprint or pin
    └── TransferError                    exit 9   talking to the enclave over HTTP(S)
        ├── NotAuthorizedError           exit 10  401: token wrong, expired or revoked
        ├── WrongProjectError            exit 11  403/404: not this agency's project, or not an agency token
        ├── UploadConflictError          exit 12  409: a replay, or the project is not waiting for data
        ├── UploadTooLargeError          exit 13  413: over the enclave's upload limit
        ├── UploadRefusedError           exit 14  400 and other refusals; the server's reason is relayed
        ├── UnreachableError             exit 15  no connection, even after retries
        ├── TlsError                     exit 16  certificate or TLS handshake failure (never retried)
        └── ServerError                  exit 17  5xx after retries, or an answer that breaks the protocol
"""

from __future__ import annotations

__all__ = [
    "BadSignatureError",
    "ColumnMismatchError",
    "CorruptedPayloadError",
    "EncodingError",
    "InputFileError",
    "KeyFileError",
    "LinkageError",
    "LinkingError",
    "MalformedManifestError",
    "PackageError",
    "NotAuthorizedError",
    "PolicyError",
    "PublicKeyMismatchError",
    "ReplayedPackageError",
    "ServerError",
    "TlsError",
    "TransferError",
    "TruncatedPackageError",
    "UnexpectedPackageError",
    "UnknownSignerError",
    "UnreachableError",
    "UploadConflictError",
    "UploadRefusedError",
    "UploadTooLargeError",
    "WrongProjectError",
    "WrongRecipientError",
]


class LinkageError(Exception):
    """Base of every error the linkage library raises on purpose.

    Args:
        message: What the user reads: a sentence that says what to do next.
        log_message: What operators log, if it differs; never data values.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, log_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.log_message = log_message or message


class PolicyError(LinkageError):
    """A policy file is invalid; ``problems`` lists every problem found.

    Args:
        message: The summary sentence.
        problems: One line per problem, each naming the file and the field.
    """

    exit_code = 2

    def __init__(self, message: str, *, problems: list[str]) -> None:
        super().__init__(message + "\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = list(problems)


class InputFileError(LinkageError):
    """The agency's source file cannot be read as given."""

    exit_code = 3


class EncodingError(InputFileError):
    """The source file is neither UTF-8 (with or without BOM) nor CP949."""


class ColumnMismatchError(InputFileError):
    """The source file's columns differ from the identifier schema.

    Args:
        message: The sentence shown to the user.
        missing: Columns the schema declares but the file lacks.
        extra: Columns the file has but the schema does not declare.
    """

    def __init__(self, message: str, *, missing: list[str], extra: list[str]) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.extra = list(extra)


class KeyFileError(LinkageError):
    """A key or secret file is missing, malformed or of the wrong type."""

    exit_code = 4


class PackageError(LinkageError):
    """A sealed package cannot be opened."""

    exit_code = 5


class TruncatedPackageError(PackageError):
    """The package is cut short, or is not a sealed package at all."""


class UnknownSignerError(PackageError):
    """The package is signed by an agency whose key is not trusted."""


class BadSignatureError(PackageError):
    """The signature does not verify: the package was altered after signing."""


class WrongRecipientError(PackageError):
    """The package was sealed to a different recipient key."""


class ReplayedPackageError(PackageError):
    """A package with the same id was opened before."""


class CorruptedPayloadError(PackageError):
    """The payload does not decrypt, or its hash or row count differs from the manifest."""


class MalformedManifestError(PackageError):
    """The manifest's fields have the wrong type, nesting or size (a broken or hostile sender)."""


class UnexpectedPackageError(PackageError):
    """The package is valid but not what was asked for (kind, project or scheme)."""


class LinkingError(LinkageError):
    """The linkage unit cannot link the given submissions."""

    exit_code = 6


class PublicKeyMismatchError(LinkageError):
    """A fetched public key is not what it claims, or not the fingerprint pinned for it."""

    exit_code = 8


class TransferError(LinkageError):
    """Talking to the enclave over HTTP(S) failed; each subclass is one kind of failure."""

    exit_code = 9


class NotAuthorizedError(TransferError):
    """The enclave answered 401: the token is wrong, expired or revoked."""

    exit_code = 10


class WrongProjectError(TransferError):
    """The enclave answered 403 or 404: not this agency's project, or not an agency's token."""

    exit_code = 11


class UploadConflictError(TransferError):
    """The enclave answered 409: a different package reused an id, or the project is not waiting."""

    exit_code = 12


class UploadTooLargeError(TransferError):
    """The enclave answered 413: the package is over its upload limit."""

    exit_code = 13


class UploadRefusedError(TransferError):
    """The enclave refused the request (400 or another 4xx); its reason is relayed."""

    exit_code = 14


class UnreachableError(TransferError):
    """No connection to the enclave, even after the retries."""

    exit_code = 15


class TlsError(TransferError):
    """The TLS handshake or the server's certificate failed; retrying would not help."""

    exit_code = 16


class ServerError(TransferError):
    """The enclave failed (5xx after the retries) or answered outside the protocol."""

    exit_code = 17
