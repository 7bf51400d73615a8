"""Server-side review: re-run every rule on stored evidence, plus the differencing check.

The researcher's kernel runs the same rules for advice, but the kernel is the
researcher's own process and can be bypassed; the verdicts that count are the
ones made here, from the evidence the service stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from export_review.checks.base import CheckResult, Status, masking_labels, worst_status
from export_review.checks.identifiers import IdentifierScan
from export_review.errors import EvidenceError
from export_review.evidence import is_valid_output_name, output_from_evidence
from export_review.ledger import LedgerEntry, ReleaseLedger
from export_review.linear_audit import LINEAR_AUDIT_RULE, LINEAR_AUDIT_VERSION, check_linear_differencing
from export_review.messages import text
from export_review.outputs import Output
from export_review.policy import DisclosurePolicy
from export_review.recomputation import (
    RECOMPUTATION_RULE,
    RECOMPUTATION_VERSION,
    DatasetSource,
    recompute_output,
)

__all__ = [
    "DIFFERENCING_RULE",
    "DIFFERENCING_VERSION",
    "OutputVerdict",
    "check_output",
    "check_differencing",
    "review_outputs",
]

DIFFERENCING_RULE = "Differencing"
DIFFERENCING_VERSION = "1.0"
_EVIDENCE_RULE = "EvidenceFormat"


def check_output(output: Output, policy: DisclosurePolicy) -> tuple[CheckResult, ...]:
    """Run every rule of the policy that applies to the output.

    Args:
        output: the output.
        policy: the rules.

    Returns:
        One result per applicable rule.
    """
    results = []
    scan = next((c for c in policy.checks if isinstance(c, IdentifierScan)), None)
    with masking_labels(scan.is_identifier if scan else _never):
        for rule in policy.checks:
            result = rule.check(output)
            if result is not None:
                results.append(result)
    return tuple(results)


def _never(label: str) -> bool:
    return False


def check_differencing(output: Output, ledger: ReleaseLedger, threshold: int,
                       pending: Sequence[LedgerEntry] = ()) -> CheckResult | None:
    """Compare an output with released (and pending) outputs of the project.

    Args:
        output: the new output.
        ledger: the project's release ledger.
        threshold: fewest records a difference may isolate.
        pending: other outputs in the same request.

    Returns:
        The result, or ``None`` for outputs without cells (models, files).
    """
    if output.table is None:
        return None
    collisions = ledger.find_collisions(output, threshold, pending)
    if not collisions:
        return CheckResult(DIFFERENCING_RULE, DIFFERENCING_VERSION, "pass",
                           text("rule.differencing.pass"))
    first = collisions[0]
    described = "; ".join(
        text("rule.differencing.pair", cell=c.cell.label(), other=c.released_output,
             other_cell=c.released_cell)
        for c in collisions[:5]
    )
    return CheckResult(
        DIFFERENCING_RULE, DIFFERENCING_VERSION, "fail",
        text("rule.differencing.fail", n=len(collisions), threshold=threshold,
             other=first.released_output, pairs=described),
        tuple(c.cell for c in collisions),
        tuple(dict.fromkeys(c.released_output for c in collisions)),
    )


@dataclass(frozen=True)
class OutputVerdict:
    """The server's verdict on one output.

    Attributes:
        name: the output's name.
        kind: its kind (``""`` when the evidence could not be read).
        status: the worst status of its results.
        results: every rule's result, the differencing check included.
        policy_name: the policy applied.
        policy_hash: the policy's content hash.
        rule_versions: rule name to version, as applied.
        checked_at: ISO-8601 UTC time of the check.
        output: the output checked: the enclave's recomputation when there was
            one, else the parsed evidence (``None`` when it was unreadable).
    """

    name: str
    kind: str
    status: Status
    results: tuple[CheckResult, ...]
    policy_name: str
    policy_hash: str
    rule_versions: dict[str, str]
    checked_at: str
    output: Output | None = field(default=None, compare=False, repr=False)

    @property
    def failed_rules(self) -> tuple[str, ...]:
        """Names of the rules that failed."""
        return tuple(r.rule for r in self.results if r.status == "fail")

    def to_dict(self) -> dict[str, Any]:
        """Serialize to JSON-compatible data (no evidence, no members)."""
        return {
            "name": self.name, "kind": self.kind, "status": self.status,
            "results": [r.to_dict() for r in self.results],
            "policy_name": self.policy_name, "policy_hash": self.policy_hash,
            "rule_versions": dict(self.rule_versions), "checked_at": self.checked_at,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutputVerdict:
        """Rebuild from :meth:`to_dict` output (without the parsed output)."""
        results = tuple(CheckResult.from_dict(r) for r in data["results"])
        return cls(
            name=str(data["name"]), kind=str(data["kind"]),
            status=worst_status([str(data["status"])]),
            results=results, policy_name=str(data["policy_name"]),
            policy_hash=str(data["policy_hash"]),
            rule_versions={str(k): str(v) for k, v in data["rule_versions"].items()},
            checked_at=str(data["checked_at"]),
        )


def review_outputs(evidence: Sequence[dict[str, Any]], rules: DisclosurePolicy,
                   ledger: ReleaseLedger, datasets: DatasetSource | None = None,
                   ) -> list[OutputVerdict]:
    """Recompute each output from the enclave's data, run every rule, and check differencing.

    With ``datasets``, each output's recipe is re-executed on the enclave's
    own copy of the approved dataset (:func:`recompute_output`); the rules,
    the differencing check and the verdict's output are then the enclave's,
    and a ``Recomputation`` result says whether the kernel's figures agreed.
    Without it (a library caller with no data), the rules run on the evidence.

    Unreadable evidence does not raise: it gets a failing verdict naming the
    problem, so one bad output never hides the verdicts on the others.
    Outputs of the same request are also compared with each other, since
    they would be released together.

    Args:
        evidence: the stored evidence dicts of one export request.
        rules: the disclosure policy for the project and dataset.
        ledger: the project's release ledger.
        datasets: the project's approved dataset versions, on the server.

    Returns:
        One verdict per evidence dict, in order.

    Raises:
        RecipeError: a recipe cannot be run (unknown dataset version or
            variable, a filter outside the language, a refused rounding base);
            the error names the output, and nothing should be stored.
    """
    now = datetime.now(UTC).isoformat(timespec="seconds")
    versions = {**rules.rule_versions(), DIFFERENCING_RULE: DIFFERENCING_VERSION}
    if datasets is not None:
        versions[RECOMPUTATION_RULE] = RECOMPUTATION_VERSION
        versions[LINEAR_AUDIT_RULE] = LINEAR_AUDIT_VERSION
    verdicts: list[OutputVerdict] = []
    pending: list[LedgerEntry] = []
    seen: set[str] = set()
    scan = next((c for c in rules.checks if isinstance(c, IdentifierScan)), None)
    for index, item in enumerate(evidence):
        try:
            output = output_from_evidence(item, max_file_bytes=rules.max_file_bytes)
        except EvidenceError as exc:
            name = item.get("name") if isinstance(item, dict) else None
            label = name if isinstance(name, str) and is_valid_output_name(name) \
                else f"#{index + 1}"
            result = CheckResult(_EVIDENCE_RULE, "1.0", "fail", str(exc))
            verdicts.append(OutputVerdict(label, "", "fail", (result,), rules.name,
                                          rules.content_hash, versions, now))
            continue
        recomputation: CheckResult | None = None
        if datasets is not None:
            with masking_labels(scan.is_identifier if scan else _never):
                output, recomputation = recompute_output(output, datasets, rules)
        results = list(check_output(output, rules))
        if recomputation is not None:
            results.insert(0, recomputation)
        if output.name in seen:
            results.append(CheckResult(_EVIDENCE_RULE, "1.0", "fail",
                                       text("review.duplicate_name")))
        seen.add(output.name)
        with masking_labels(scan.is_identifier if scan else _never):
            differencing = check_differencing(output, ledger, rules.differencing_threshold,
                                              pending)
        if differencing is not None:
            results.append(differencing)
        entry = LedgerEntry.from_output(output)
        if datasets is not None and output.table is not None:
            # Only the enclave's own members are a sound basis for the linear audit.
            results.append(check_linear_differencing(entry, [*ledger.entries, *pending],
                                                     rules.differencing_threshold))
        pending.append(entry)
        verdicts.append(OutputVerdict(
            name=output.name, kind=output.kind,
            status=worst_status(r.status for r in results),
            results=tuple(results), policy_name=rules.name, policy_hash=rules.content_hash,
            rule_versions=versions, checked_at=now, output=output,
        ))
    return verdicts
