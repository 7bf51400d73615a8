"""Disclosure policies: which rules run, with which parameters, per project or dataset.

A policy is YAML under ``policies/disclosure/``. It is validated on load and
every problem is reported at once. Overrides for a dataset, then for a
project, are merged over the defaults. The policy's content hash is recorded
with every verdict made under it.

Example file::

    schema: 1
    name: default
    max_file_bytes: 5000000
    rules:
      minimum_cell_count: {threshold: 10}
      dominance: {n: 2, k: 0.9}
    datasets:
      nhis_claims: {rules: {minimum_cell_count: {threshold: 20}}}
    projects:
      P-2026-001: {rules: {identifier_scan: {pseudonym_patterns: ["P1[0-9a-f]{15}"]}}}
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from export_review.checks import (
    AllowedFileTypes,
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
from export_review.errors import PolicyError
from export_review.messages import text

__all__ = [
    "DEFAULT_POLICY_PATH",
    "RULE_KEYS",
    "DisclosurePolicy",
    "default_policy",
    "load_disclosure_policy",
    "parse_disclosure_policy",
]

#: Where the shipped default policy lives, relative to the repository root.
DEFAULT_POLICY_PATH = Path(__file__).resolve().parent.parent / "policies" / "disclosure" / "default.yaml"

_Validator = Callable[[str, Any], list[str]]


def _int_at_least(low: int) -> _Validator:
    def check(where: str, value: Any) -> list[str]:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            return [text("policy.int_at_least", where=where, low=low)]
        return []
    return check


def _fraction(where: str, value: Any) -> list[str]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        return [text("policy.fraction", where=where)]
    return []


def _status(where: str, value: Any) -> list[str]:
    return [] if value in ("review", "fail") else [text("policy.status", where=where)]


def _bool(where: str, value: Any) -> list[str]:
    return [] if isinstance(value, bool) else [text("policy.bool", where=where)]


def _strings(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return [text("policy.strings", where=where)]
    return []


def _regexes(where: str, value: Any) -> list[str]:
    problems = _strings(where, value)
    if problems:
        return problems
    import re

    for i, pattern in enumerate(value):
        try:
            re.compile(pattern)
        except re.error:
            problems.append(text("policy.regex", where=f"{where}[{i}]"))
    return problems


#: Rule key in YAML -> (class, {parameter: validator}).
RULE_KEYS: dict[str, tuple[type[DisclosureCheck], dict[str, _Validator]]] = {
    "minimum_cell_count": (MinimumCellCount, {"threshold": _int_at_least(1)}),
    "dominance": (DominanceRule, {"n": _int_at_least(1), "k": _fraction}),
    "p_ratio": (PRatioRule, {"p": _fraction}),
    "zero_cells": (ZeroCells, {"status": _status}),
    "missing_values": (MissingValues, {"status": _status}),
    "negative_values": (NegativeValues, {}),
    "residual_degrees_of_freedom": (ResidualDegreesOfFreedom, {"minimum": _int_at_least(1)}),
    "model_category_support": (ModelCategorySupport, {"threshold": _int_at_least(1)}),
    "minimum_rounding_base": (MinimumRoundingBase, {"minimum": _int_at_least(2)}),
    "histogram_bins": (HistogramBins, {"threshold": _int_at_least(1)}),
    "extreme_values": (ExtremeValues, {}),
    "identifier_scan": (IdentifierScan, {"pseudonym_patterns": _regexes,
                                         "pseudonyms": _strings, "scan_dates": _bool}),
    "allowed_file_types": (AllowedFileTypes, {"extensions": _strings}),
    "evidence_consistency": (EvidenceConsistency, {}),
}
_TOP_KEYS = {"schema", "name", "max_file_bytes", "differencing_threshold", "rules",
             "datasets", "projects"}


@dataclass(frozen=True)
class DisclosurePolicy:
    """A validated set of disclosure rules.

    Attributes:
        name: the policy's name.
        checks: the configured rules, in a stable order.
        max_file_bytes: largest custom file evidence may carry.
        differencing_threshold: fewest records a difference of cells may isolate.
        content_hash: sha256 of the merged settings, recorded with each verdict.
    """

    name: str
    checks: tuple[DisclosureCheck, ...]
    max_file_bytes: int
    differencing_threshold: int
    content_hash: str

    def rule_versions(self) -> dict[str, str]:
        """Map each rule name to its version."""
        return {c.name: c.version for c in self.checks}

    def find(self, rule: type[DisclosureCheck]) -> DisclosureCheck | None:
        """Return the configured instance of ``rule``, if any."""
        return next((c for c in self.checks if isinstance(c, rule)), None)

    @property
    def minimum_rounding_base(self) -> int:
        """The smallest rounding base the policy accepts (2 when the rule is switched off)."""
        rule = self.find(MinimumRoundingBase)
        return rule.minimum if isinstance(rule, MinimumRoundingBase) else 2

    @property
    def minimum_count(self) -> int:
        """The minimum cell count, used by suppression."""
        rule = self.find(MinimumCellCount)
        return rule.threshold if isinstance(rule, MinimumCellCount) else 10


def _merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _validate_rules(where: str, rules: Any, problems: list[str]) -> None:
    if not isinstance(rules, Mapping):
        problems.append(text("policy.mapping", where=where))
        return
    for key, params in rules.items():
        if key not in RULE_KEYS:
            problems.append(text("policy.unknown_rule", where=f"{where}.{key}",
                                 known=", ".join(sorted(RULE_KEYS))))
            continue
        if params is None or params is False:
            continue
        if not isinstance(params, Mapping):
            problems.append(text("policy.mapping", where=f"{where}.{key}"))
            continue
        validators = RULE_KEYS[key][1]
        for name, value in params.items():
            if name == "enabled":
                problems += _bool(f"{where}.{key}.enabled", value)
            elif name not in validators:
                problems.append(text("policy.unknown_param", where=f"{where}.{key}.{name}"))
            else:
                problems += validators[name](f"{where}.{key}.{name}", value)


def parse_disclosure_policy(
    data: Any,
    *,
    project: str | None = None,
    dataset: str | None = None,
    source: str = "policy",
    pseudonyms: tuple[str, ...] = (),
) -> DisclosurePolicy:
    """Validate policy data and build the rules for a project and dataset.

    Args:
        data: the parsed YAML.
        project: project id whose overrides apply last.
        dataset: dataset name whose overrides apply before the project's.
        source: the file name, for messages.
        pseudonyms: the project's pseudonyms for ``IdentifierScan`` (never stored
            in the policy hash, only their count).

    Returns:
        The policy.

    Raises:
        PolicyError: listing every problem found.
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise PolicyError(text("policy.invalid", source=source, problems=text("policy.not_mapping")),
                          [text("policy.not_mapping")])
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(text("policy.unknown_key", where=str(key)))
    if data.get("schema") != 1:
        problems.append(text("policy.schema"))
    problems += _int_at_least(1)("max_file_bytes", data.get("max_file_bytes", 5_000_000))
    problems += _int_at_least(1)("differencing_threshold", data.get("differencing_threshold", 10))
    _validate_rules("rules", data.get("rules", {}), problems)
    for section in ("datasets", "projects"):
        entries = data.get(section, {}) or {}
        if not isinstance(entries, Mapping):
            problems.append(text("policy.mapping", where=section))
            continue
        for name, entry in entries.items():
            if not isinstance(entry, Mapping) or set(entry) - {"rules", "max_file_bytes",
                                                               "differencing_threshold"}:
                problems.append(text("policy.override", where=f"{section}.{name}"))
                continue
            _validate_rules(f"{section}.{name}.rules", entry.get("rules", {}), problems)
    if problems:
        raise PolicyError(text("policy.invalid", source=source, problems="; ".join(problems)),
                          problems)

    merged: dict[str, Any] = {k: v for k, v in data.items() if k not in ("datasets", "projects")}
    for section, key in (("datasets", dataset), ("projects", project)):
        entry = (data.get(section) or {}).get(key) if key else None
        if entry:
            merged = _merge(merged, entry)
    checks: list[DisclosureCheck] = []
    for key, (rule, _) in RULE_KEYS.items():
        params = dict((merged.get("rules") or {}).get(key) or {})
        if params.pop("enabled", True) is False:
            continue
        if key == "identifier_scan" and pseudonyms:
            params["pseudonyms"] = list(params.get("pseudonyms", [])) + list(pseudonyms)
        checks.append(rule(**params))
    settings = {c.name: c.settings() for c in checks}
    digest = hashlib.sha256(json.dumps({"merged": merged, "settings": settings},
                                       sort_keys=True, default=str).encode()).hexdigest()
    return DisclosurePolicy(
        name=str(merged.get("name", source)),
        checks=tuple(checks),
        max_file_bytes=int(merged.get("max_file_bytes", 5_000_000)),
        differencing_threshold=int(merged.get("differencing_threshold", 10)),
        content_hash=digest,
    )


def load_disclosure_policy(
    path: str | Path | None = None,
    *,
    project: str | None = None,
    dataset: str | None = None,
    pseudonyms: tuple[str, ...] = (),
) -> DisclosurePolicy:
    """Load and validate a disclosure policy file.

    Args:
        path: the YAML file (default: ``policies/disclosure/default.yaml``).
        project: project id whose overrides apply.
        dataset: dataset name whose overrides apply.
        pseudonyms: the project's pseudonyms to scan for.

    Returns:
        The policy.

    Raises:
        PolicyError: when the file is missing, not YAML, or invalid (all problems listed).
    """
    file = Path(path) if path is not None else DEFAULT_POLICY_PATH
    try:
        raw = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(text("policy.unreadable", source=file.name)) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise PolicyError(text("policy.not_yaml", source=file.name)) from exc
    return parse_disclosure_policy(data, project=project, dataset=dataset, source=file.name,
                                   pseudonyms=pseudonyms)


def default_policy() -> DisclosurePolicy:
    """Return the shipped default policy, or the built-in defaults if the file is absent.

    Returns:
        The default policy (thresholds as in the issue: 10 records, (2, 90%), p 10%, dof 10).
    """
    if DEFAULT_POLICY_PATH.is_file():
        return load_disclosure_policy(DEFAULT_POLICY_PATH)
    return parse_disclosure_policy({"schema": 1, "name": "built-in"}, source="built-in")
