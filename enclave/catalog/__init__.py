"""The dataset catalog: what agencies can provide, described without records."""

from __future__ import annotations

from enclave.catalog.datasets import (
    VARIABLE_TYPES,
    VariableSpec,
    can_describe,
    check_can_describe,
    dataset_problems,
    register_dataset,
    round_count,
    search_datasets,
)
from enclave.catalog.from_policy import import_dataset_from_policy, variables_from_schema

__all__ = [
    "VARIABLE_TYPES",
    "VariableSpec",
    "can_describe",
    "check_can_describe",
    "dataset_problems",
    "import_dataset_from_policy",
    "register_dataset",
    "round_count",
    "search_datasets",
    "variables_from_schema",
]
