"""From packages to approved, pseudonymized project data."""

from __future__ import annotations

from enclave.provisioning.pipeline import (
    DEFAULT_POLICY,
    build_project_replica,
    combine_project,
    decide_adequacy,
    decide_replica,
    deliver_linkage_map,
    latest_review,
    policy_path,
    read_project_dataset,
    review_risk,
)
from enclave.provisioning.reports import linkage_quality_path, read_linkage_quality, reports_dir

__all__ = [
    "DEFAULT_POLICY",
    "build_project_replica",
    "combine_project",
    "decide_adequacy",
    "decide_replica",
    "deliver_linkage_map",
    "latest_review",
    "linkage_quality_path",
    "policy_path",
    "read_linkage_quality",
    "read_project_dataset",
    "reports_dir",
    "review_risk",
]
