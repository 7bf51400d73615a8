"""Export review: checked outputs from the researcher's kernel to a signed release.

Researchers make outputs with :class:`OutputSession`, each with a :class:`Recipe`;
the service re-executes every recipe on its own copy of the approved dataset
and checks its own figures with :func:`review_outputs`, guards against differencing with a
:class:`ReleaseLedger`, runs two blind reviews per output with
:class:`ReviewBoard`, and signs a release with :func:`build_release_package`.
"""

from __future__ import annotations

from export_review.checks import (
    AllowedFileTypes,
    CellRef,
    CheckResult,
    DisclosureCheck,
    DominanceRule,
    EvidenceConsistency,
    ExtremeValues,
    HistogramBins,
    IdentifierScan,
    MinimumCellCount,
    MinimumRoundingBase,
    MissingValues,
    ModelCategorySupport,
    NegativeValues,
    PRatioRule,
    ResidualDegreesOfFreedom,
    ZeroCells,
)
from export_review.client import SubmissionReceipt, submit_export_request
from export_review.errors import (
    EvidenceError,
    ExportReviewError,
    OutputError,
    PolicyError,
    RecipeError,
    ReleaseError,
    ReviewError,
    SubmissionError,
    TransitionError,
    UnknownOutputError,
    VerificationError,
    WorkflowError,
)
from export_review.evidence import EVIDENCE_VERSION, output_from_evidence, output_to_evidence
from export_review.filters import CohortFilter, parse_filter
from export_review.ledger import Collision, LedgerEntry, ReleaseLedger
from export_review.outputs import Cell, Cohort, Output, TableEvidence
from export_review.policy import DisclosurePolicy, default_policy, load_disclosure_policy
from export_review.recipes import Mitigation, Recipe, execute_recipe, recipe_from_dict
from export_review.recomputation import DatasetSource, StoredDatasets, compare_outputs, recompute_output
from export_review.release import (
    VerifiedRelease,
    build_release_package,
    load_public_key,
    verify_release_package,
)
from export_review.rendering import neutralize_csv_cell
from export_review.review import OutputVerdict, check_output, review_outputs
from export_review.session import OutputSession
from export_review.workflow import (
    Actor,
    Decision,
    ExportRequestState,
    ReviewBoard,
    ReviewOutcome,
    Transition,
    allowed_transitions,
    approved_outputs,
    decide_request,
    transition,
)

__all__ = [
    "recompute_output",
    "compare_outputs",
    "StoredDatasets",
    "DatasetSource",
    "recipe_from_dict",
    "execute_recipe",
    "Recipe",
    "Mitigation",
    "parse_filter",
    "CohortFilter",
    "RecipeError",
    "ModelCategorySupport",
    "MinimumRoundingBase",
    "EVIDENCE_VERSION",
    "Actor",
    "AllowedFileTypes",
    "Cell",
    "CellRef",
    "CheckResult",
    "Cohort",
    "Collision",
    "Decision",
    "DisclosureCheck",
    "DisclosurePolicy",
    "DominanceRule",
    "EvidenceConsistency",
    "EvidenceError",
    "ExportRequestState",
    "ExportReviewError",
    "ExtremeValues",
    "HistogramBins",
    "IdentifierScan",
    "LedgerEntry",
    "MinimumCellCount",
    "MissingValues",
    "NegativeValues",
    "Output",
    "OutputError",
    "OutputSession",
    "OutputVerdict",
    "PRatioRule",
    "PolicyError",
    "ReleaseError",
    "ReleaseLedger",
    "ResidualDegreesOfFreedom",
    "ReviewBoard",
    "ReviewError",
    "ReviewOutcome",
    "SubmissionError",
    "SubmissionReceipt",
    "TableEvidence",
    "Transition",
    "TransitionError",
    "UnknownOutputError",
    "VerificationError",
    "VerifiedRelease",
    "WorkflowError",
    "ZeroCells",
    "allowed_transitions",
    "approved_outputs",
    "build_release_package",
    "check_output",
    "decide_request",
    "default_policy",
    "load_disclosure_policy",
    "load_public_key",
    "neutralize_csv_cell",
    "output_from_evidence",
    "output_to_evidence",
    "review_outputs",
    "submit_export_request",
    "transition",
    "verify_release_package",
]
