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
    │   └── UnexpectedPackageError                wrong kind / project / scheme
    └── LinkingError                     exit 6   inputs the linkage unit cannot link
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
    "PackageError",
    "PolicyError",
    "ReplayedPackageError",
    "TruncatedPackageError",
    "UnexpectedPackageError",
    "UnknownSignerError",
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


class UnexpectedPackageError(PackageError):
    """The package is valid but not what was asked for (kind, project or scheme)."""


class LinkingError(LinkageError):
    """The linkage unit cannot link the given submissions."""

    exit_code = 6
