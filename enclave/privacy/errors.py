"""Errors raised by the pseudonymization and identification-risk library.

Every message is built from ``messages.text`` and names columns, counts,
thresholds and file names only: never a record value, pseudonym or key.

::

    PrivacyError                      base; http_status = 400
    ├── PolicyError                   a policy file cannot be read or parsed
    │   └── PolicyValidationError     every problem of a policy (and data) at once
    ├── TransformationError           a transformation cannot be applied (e.g. missing key)
    ├── RiskMeasurementError          risk measures asked of unusable input
    ├── AnonymizationError            no transformation meets the thresholds; http_status = 422
    ├── AttackError                   an anonymeter attack cannot be run
    ├── ReplicaError                  a synthetic replica cannot be built
    └── ReviewerIndependenceError     reviewer is the person who ran the processing; 403
"""

from __future__ import annotations

from dataclasses import dataclass

from enclave.privacy.messages import text

__all__ = [
    "AnonymizationError",
    "AttackError",
    "PolicyError",
    "PolicyProblem",
    "PolicyValidationError",
    "PrivacyError",
    "ReplicaError",
    "ReviewerIndependenceError",
    "RiskMeasurementError",
    "TransformationError",
]


class PrivacyError(Exception):
    """Base class of every error raised by ``enclave.privacy``.

    Attributes:
        http_status: Status the service answers with when this error reaches it.
        message_id: Id of the catalog message (for operators' logs and tests).
    """

    http_status: int = 400

    def __init__(self, message_id: str, **params: object) -> None:
        self.message_id = message_id
        self.params = dict(params)
        super().__init__(text(message_id, **params))


class PolicyError(PrivacyError):
    """A policy file cannot be read or is not a mapping of the expected shape."""


@dataclass(frozen=True)
class PolicyProblem:
    """One problem found while validating a policy (optionally against data).

    Attributes:
        message_id: Catalog id describing the problem.
        params: Parameters of the message (column names, counts, levels; never values).
    """

    message_id: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, message_id: str, **params: object) -> PolicyProblem:
        """Return a problem with its parameters in a stable (sorted) order.

        Args:
            message_id: Catalog id describing the problem.
            **params: Column names, counts, levels; never record values.

        Returns:
            The problem.
        """
        return cls(message_id, tuple(sorted(params.items())))

    def describe(self) -> str:
        """Return the problem as a sentence in the current language.

        Returns:
            The translated message text.
        """
        return text(self.message_id, **dict(self.params))


class PolicyValidationError(PrivacyError):
    """A policy has one or more problems; all of them are listed at once.

    Attributes:
        problems: Every problem found, in the order they were found.
    """

    def __init__(self, problems: list[PolicyProblem] | tuple[PolicyProblem, ...]) -> None:
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p.describe()}" for p in self.problems)
        super().__init__("policy.invalid", count=len(self.problems), problems=lines)


class TransformationError(PrivacyError):
    """A transformation cannot be applied to the data as given."""


class RiskMeasurementError(PrivacyError):
    """Risk measures were asked of input they cannot be computed on."""


class AnonymizationError(PrivacyError):
    """No generalization and suppression within the budget meets the thresholds."""

    http_status = 422


class AttackError(PrivacyError):
    """An anonymeter attack cannot be run on the given tables."""


class ReplicaError(PrivacyError):
    """A synthetic replica cannot be built or checked."""


class ReviewerIndependenceError(PrivacyError):
    """The reviewer of a risk report is the person who ran the processing."""

    http_status = 403
