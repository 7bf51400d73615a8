"""The dataset catalog: what agencies can provide, described without records."""

from __future__ import annotations

from enclave.catalog.datasets import VARIABLE_TYPES, VariableSpec, register_dataset, round_count, search_datasets

__all__ = ["VARIABLE_TYPES", "VariableSpec", "register_dataset", "round_count", "search_datasets"]
