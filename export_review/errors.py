"""Errors raised by the export-review library.

Every message is built from ``export_review.messages`` and tells the reader what
to do next. No error ever carries a record value, identifier, pseudonym, token
or key: errors name outputs, rules, columns, files and counts only.

Hierarchy::

    ExportReviewError                 base of everything raised here
    ├── OutputError                   a researcher call cannot make an output
    │   ├── UnknownOutputError        no output of that name in the session
    │   └── RecipeError               a recipe cannot be run: unknown variable or dataset version,
    │                                 a filter outside the filter language, a refused rounding base
    ├── PolicyError                   a disclosure policy file is invalid (lists every problem)
    ├── EvidenceError                 evidence is malformed, of another schema, or too large
    ├── WorkflowError                 a state change or review vote is not allowed
    │   ├── TransitionError           the export request cannot move to that state
    │   └── ReviewError               the vote is refused (self-review, second vote, no comment)
    ├── ReleaseError                  a release package cannot be built
    │   └── VerificationError         a release package is tampered, unsigned or mis-signed
    └── SubmissionError               the service refused or could not receive a submission
"""

from __future__ import annotations

__all__ = [
    "EvidenceError",
    "ExportReviewError",
    "OutputError",
    "PolicyError",
    "RecipeError",
    "ReleaseError",
    "ReviewError",
    "SubmissionError",
    "TransitionError",
    "UnknownOutputError",
    "VerificationError",
    "WorkflowError",
]


class ExportReviewError(Exception):
    """Base class of every error raised by ``export_review``."""


class OutputError(ExportReviewError):
    """A researcher call cannot produce an output (bad column, bad argument)."""


class UnknownOutputError(OutputError, KeyError):
    """The session holds no output of the requested name."""

    def __str__(self) -> str:
        # KeyError quotes its argument; keep the plain sentence instead.
        return str(self.args[0]) if self.args else ""


class PolicyError(ExportReviewError):
    """A disclosure policy is invalid.

    Attributes:
        problems: every problem found, so the author fixes them all at once.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class EvidenceError(ExportReviewError):
    """Evidence is malformed, of an unknown schema version, or too large."""


class RecipeError(OutputError):
    """A recipe cannot be run as written; nothing was computed.

    Attributes:
        output: the output whose recipe is at fault, once known (``None`` in the kernel).
    """

    def __init__(self, message: str, output: str | None = None) -> None:
        super().__init__(message)
        self.output = output


class WorkflowError(ExportReviewError):
    """A workflow step is not allowed."""


class TransitionError(WorkflowError):
    """An export request cannot move from its state to the requested one."""


class ReviewError(WorkflowError):
    """A review vote is refused; nothing was changed."""


class ReleaseError(ExportReviewError):
    """A release package cannot be built."""


class VerificationError(ReleaseError):
    """A release package failed verification.

    Attributes:
        problems: every problem found (file names and reasons, never contents).
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class SubmissionError(ExportReviewError):
    """The enclave service refused or could not receive an export request.

    Attributes:
        status: the HTTP status code, or ``None`` when no response arrived.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
