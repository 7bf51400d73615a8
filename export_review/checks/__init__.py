"""Disclosure rules as plug-in checks, one module per family of rules."""

from __future__ import annotations

from export_review.checks.base import CellRef, CheckResult, DisclosureCheck, Status, worst_status
from export_review.checks.consistency import EvidenceConsistency
from export_review.checks.files import AllowedFileTypes
from export_review.checks.histograms import ExtremeValues, HistogramBins
from export_review.checks.identifiers import IdentifierScan
from export_review.checks.models import ModelCategorySupport, ResidualDegreesOfFreedom
from export_review.checks.tables import (
    DominanceRule,
    MinimumCellCount,
    MinimumRoundingBase,
    MissingValues,
    NegativeValues,
    PRatioRule,
    ZeroCells,
)

__all__ = [
    "AllowedFileTypes",
    "CellRef",
    "CheckResult",
    "DisclosureCheck",
    "DominanceRule",
    "EvidenceConsistency",
    "ExtremeValues",
    "HistogramBins",
    "IdentifierScan",
    "MinimumCellCount",
    "MinimumRoundingBase",
    "MissingValues",
    "ModelCategorySupport",
    "NegativeValues",
    "PRatioRule",
    "ResidualDegreesOfFreedom",
    "Status",
    "ZeroCells",
    "worst_status",
]
