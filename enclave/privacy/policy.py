"""Pseudonymization policies: each column's role and transformation, and the risk thresholds.

A policy is data (YAML under ``policies/pseudonymization/``), loaded into frozen
values and validated with every problem reported at once. Its
``content_hash`` (SHA-256 of a canonical JSON form, independent of YAML
layout, key order and comments) is stored with every decision made under it.

Example policy (abridged)::

    dataset: demo-linked
    version: 1
    thresholds: {k: 5, l: 2, l_kind: distinct, t: 0.4, max_prosecutor_risk: 0.2,
                 suppression_budget: 0.05, population_size: 51700000, max_attack_risk: 0.1}
    columns:
      name: {role: direct_identifier}
      link_id: {role: other, transforms: [pseudonym]}
      birth_date:
        role: quasi_identifier
        agency: welfare
        hierarchy: {kind: date, steps: [month, year]}
        min_level: 2
      income: {role: sensitive, sensitive_kind: numeric, transforms: [{round: 100000}]}
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast, get_args

import numpy as np
import pandas as pd
import yaml

from enclave.privacy.errors import PolicyError, PolicyProblem, PolicyValidationError
from enclave.privacy.hierarchies import Hierarchy, hierarchy_from_dict

__all__ = [
    "ColumnPolicy",
    "Generalize",
    "GroupCategories",
    "LKind",
    "Policy",
    "Pseudonymize",
    "Role",
    "Round",
    "SensitiveKind",
    "SuppressRare",
    "Thresholds",
    "TopBottomCode",
    "TransformStep",
    "load_policy",
    "policy_from_dict",
]

Role = Literal["direct_identifier", "quasi_identifier", "sensitive", "other"]
LKind = Literal["distinct", "entropy"]
SensitiveKind = Literal["categorical", "numeric"]

_ROLES: tuple[str, ...] = get_args(Role)


@dataclass(frozen=True)
class Pseudonymize:
    """Replace each value by its project pseudonym (keyed HMAC-SHA256)."""

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return "pseudonym"


@dataclass(frozen=True)
class Round:
    """Round numbers to the nearest multiple of ``base`` (e.g. incomes to 100,000 won).

    Attributes:
        base: Positive rounding base.
    """

    base: float

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return {"round": self.base}


@dataclass(frozen=True)
class TopBottomCode:
    """Clip numbers at ``lower`` and ``upper`` (top and bottom coding).

    Attributes:
        lower: Values below become ``lower``; None leaves the bottom open.
        upper: Values above become ``upper``; None leaves the top open.
    """

    lower: float | None = None
    upper: float | None = None

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return {"top_bottom_code": {"lower": self.lower, "upper": self.upper}}


@dataclass(frozen=True)
class GroupCategories:
    """Map categories to groups; categories not named keep their value.

    Attributes:
        groups: Pairs of (group label, categories it replaces).
    """

    groups: tuple[tuple[str, tuple[str, ...]], ...]

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return {"group_categories": {g: list(v) for g, v in self.groups}}


@dataclass(frozen=True)
class SuppressRare:
    """Replace categories held by fewer than ``min_count`` records with ``replacement``.

    Attributes:
        min_count: Categories with fewer records than this are replaced.
        replacement: Label used instead (e.g. ``"other"`` or ``"기타"``).
    """

    min_count: int
    replacement: str = "other"

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return {"suppress_rare": {"min_count": self.min_count, "replacement": self.replacement}}


@dataclass(frozen=True)
class Generalize:
    """Generalize a non-quasi-identifier column to a fixed level of its hierarchy.

    Quasi-identifiers use ``min_level``/``max_level`` instead, because the
    additional-processing search chooses their level.

    Attributes:
        level: Level of the column's hierarchy.
    """

    level: int

    def to_dict(self) -> Any:
        """Return the canonical policy form of this step."""
        return {"generalize": self.level}


TransformStep = Pseudonymize | Round | TopBottomCode | GroupCategories | SuppressRare | Generalize


@dataclass(frozen=True)
class ColumnPolicy:
    """What the policy says about one column.

    Attributes:
        name: Column name in the linked dataset.
        role: ``direct_identifier`` (removed), ``quasi_identifier``,
            ``sensitive`` or ``other``.
        transforms: Steps applied in order by ``pseudonymize_columns``.
        hierarchy: Generalization hierarchy (searched for quasi-identifiers).
        min_level: Lowest hierarchy level allowed (applied by pseudonymization).
        max_level: Highest level the search may choose (None: the top, ``*``).
        agency: Agency that supplied the column (used by linkability attacks).
        sensitive_kind: For sensitive attributes, how t-closeness measures
            distance: ordered (``numeric``) or equal (``categorical``).
        required: Whether the data must have the column (a general policy may
            name alternatives, e.g. ``birth_date`` or ``birth_year``).
    """

    name: str
    role: Role
    transforms: tuple[TransformStep, ...] = ()
    hierarchy: Hierarchy | None = None
    min_level: int = 0
    max_level: int | None = None
    agency: str | None = None
    sensitive_kind: SensitiveKind = "categorical"
    required: bool = True

    @property
    def top_level(self) -> int:
        """Highest hierarchy level the additional-processing search may choose."""
        if self.hierarchy is None:
            return 0
        return self.hierarchy.top if self.max_level is None else self.max_level

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical policy form of this column."""
        out: dict[str, Any] = {"role": self.role}
        if self.transforms:
            out["transforms"] = [t.to_dict() for t in self.transforms]
        if self.hierarchy is not None:
            out["hierarchy"] = self.hierarchy.to_dict()
            out["min_level"] = self.min_level
            out["max_level"] = self.max_level
        if self.agency is not None:
            out["agency"] = self.agency
        if self.role == "sensitive":
            out["sensitive_kind"] = self.sensitive_kind
        if not self.required:
            out["required"] = False
        return out


@dataclass(frozen=True)
class Thresholds:
    """Risk thresholds a dataset must meet before a steward may approve it.

    Attributes:
        k: Minimum equivalence-class size (k-anonymity).
        l: Minimum l-diversity of every sensitive attribute (None: not required).
        l_kind: ``distinct`` or ``entropy`` l-diversity.
        t: Maximum t-closeness (EMD) of every sensitive attribute (None: not required).
        max_prosecutor_risk: Highest allowed record-level prosecutor risk
            (None: implied by k, i.e. 1/k).
        suppression_budget: Largest share of records additional processing may suppress.
        population_size: Size of the population the data was drawn from, for
            population-uniqueness estimates (None: not estimated).
        max_attack_risk: Highest allowed anonymeter risk (upper confidence bound).
        confidence_level: Confidence level of attack risk intervals.
    """

    k: int = 5
    l: float | None = None  # noqa: E741 - the measure is called l in the literature
    l_kind: LKind = "distinct"
    t: float | None = None
    max_prosecutor_risk: float | None = None
    suppression_budget: float = 0.05
    population_size: int | None = None
    max_attack_risk: float = 0.1
    confidence_level: float = 0.95

    @property
    def record_risk_threshold(self) -> float:
        """Record-level prosecutor risk above which a record counts as at risk."""
        if self.max_prosecutor_risk is not None:
            return self.max_prosecutor_risk
        return 1.0 / self.k

    @property
    def effective_k(self) -> int:
        """Smallest class size that satisfies both k and the prosecutor-risk limit."""
        k = self.k
        if self.max_prosecutor_risk is not None and self.max_prosecutor_risk > 0:
            k = max(k, math.ceil(1.0 / self.max_prosecutor_risk - 1e-12))
        return k

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical policy form of the thresholds."""
        return {
            "k": self.k,
            "l": self.l,
            "l_kind": self.l_kind,
            "t": self.t,
            "max_prosecutor_risk": self.max_prosecutor_risk,
            "suppression_budget": self.suppression_budget,
            "population_size": self.population_size,
            "max_attack_risk": self.max_attack_risk,
            "confidence_level": self.confidence_level,
        }


@dataclass(frozen=True)
class Policy:
    """A validated pseudonymization policy for one dataset or project.

    Attributes:
        dataset: Name of the dataset or project the policy governs.
        version: Policy version number set by the steward.
        thresholds: Risk thresholds.
        columns: The policy of every column, in file order.
        description: Free text for stewards.
        source: File the policy was loaded from (not part of the hash).
    """

    dataset: str
    version: int
    thresholds: Thresholds
    columns: tuple[ColumnPolicy, ...]
    description: str = ""
    source: str | None = field(default=None, compare=False)
    base_hash: str | None = field(default=None, compare=False)

    def column(self, name: str) -> ColumnPolicy:
        """Return the policy of column ``name``.

        Args:
            name: Column name.

        Returns:
            The column's policy.

        Raises:
            KeyError: If the policy does not mention the column.
        """
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    def for_columns(self, columns: Iterable[object]) -> Policy:
        """Return this policy without its optional columns that ``columns`` lacks.

        The result keeps this policy's ``content_hash``: decisions made with
        it are decisions under this policy.

        Args:
            columns: Column names of the data at hand.

        Returns:
            The policy restricted to the data's columns.
        """
        present = {str(c) for c in columns}
        kept = tuple(c for c in self.columns if c.required or c.name in present)
        if len(kept) == len(self.columns):
            return self
        return replace(self, columns=kept, base_hash=self.content_hash)

    def names_with_role(self, role: Role) -> tuple[str, ...]:
        """Return the names of the columns with ``role``, in policy order."""
        return tuple(c.name for c in self.columns if c.role == role)

    @property
    def quasi_identifiers(self) -> tuple[str, ...]:
        """Names of the quasi-identifiers."""
        return self.names_with_role("quasi_identifier")

    @property
    def sensitive_attributes(self) -> tuple[str, ...]:
        """Names of the sensitive attributes."""
        return self.names_with_role("sensitive")

    @property
    def direct_identifiers(self) -> tuple[str, ...]:
        """Names of the direct identifiers (removed by pseudonymization)."""
        return self.names_with_role("direct_identifier")

    @property
    def pseudonym_columns(self) -> tuple[str, ...]:
        """Names of the columns replaced by project pseudonyms."""
        return tuple(c.name for c in self.columns if any(isinstance(t, Pseudonymize) for t in c.transforms))

    @property
    def agencies(self) -> dict[str, tuple[str, ...]]:
        """Quasi-identifiers and sensitive attributes grouped by supplying agency."""
        out: dict[str, list[str]] = {}
        for c in self.columns:
            if c.agency is not None and c.role in ("quasi_identifier", "sensitive"):
                out.setdefault(c.agency, []).append(c.name)
        return {k: tuple(v) for k, v in sorted(out.items())}

    def to_dict(self) -> dict[str, Any]:
        """Return the canonical form that ``content_hash`` is computed over."""
        return {
            "dataset": self.dataset,
            "version": self.version,
            "description": self.description,
            "thresholds": self.thresholds.to_dict(),
            "columns": {c.name: c.to_dict() for c in self.columns},
        }

    @property
    def content_hash(self) -> str:
        """SHA-256 (hex) of the canonical JSON form of the policy."""
        if self.base_hash is not None:
            return self.base_hash
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def problems(self, df: pd.DataFrame) -> list[PolicyProblem]:
        """List every problem of applying this policy to ``df``.

        Args:
            df: The linked dataset, before pseudonymization.

        Returns:
            All problems found (empty when the data fits the policy). Problems
            name columns, counts and row numbers, never values.
        """
        found: list[PolicyProblem] = []
        known = {c.name for c in self.columns}
        for name in df.columns:
            if str(name) not in known:
                found.append(_problem("policy.unknown_column", column=str(name)))
        for col in self.columns:
            if col.name not in df.columns and not col.required:
                continue
            if col.name not in df.columns:
                # Direct identifiers may already have been dropped upstream (the
                # enclave never receives them); that is the goal, not a problem.
                if col.role != "direct_identifier":
                    found.append(_problem("policy.missing_column", column=col.name, role=col.role))
                continue
            if col.role == "direct_identifier":
                continue
            series = df[col.name]
            if col.role == "quasi_identifier":
                missing = series.isna().to_numpy()
                if missing.any():
                    found.append(
                        _problem(
                            "policy.missing_values",
                            column=col.name,
                            rows=int(missing.sum()),
                            first_row=int(np.flatnonzero(missing)[0]),
                        )
                    )
            found.extend(_numeric_problems(col, series))
            if col.hierarchy is not None:
                found.extend(_coverage_problems(col, series))
        return found

    def validate(self, df: pd.DataFrame) -> None:
        """Check ``df`` against this policy and raise one error listing every problem.

        Args:
            df: The linked dataset, before pseudonymization.

        Raises:
            PolicyValidationError: If any problem is found.
        """
        found = self.problems(df)
        if found:
            raise PolicyValidationError(found)


def _problem(message_id: str, **params: object) -> PolicyProblem:
    return PolicyProblem(message_id, tuple(sorted(params.items())))


_NUMERIC_STEPS = (Round, TopBottomCode)


def _numeric_problems(col: ColumnPolicy, series: pd.Series) -> list[PolicyProblem]:
    needs = [t for t in col.transforms if isinstance(t, _NUMERIC_STEPS)]
    numeric_sensitive = col.role == "sensitive" and col.sensitive_kind == "numeric"
    if not needs and not numeric_sensitive:
        return []
    if any(isinstance(t, Pseudonymize) for t in col.transforms):
        return []
    present = series.notna().to_numpy()
    numbers = pd.to_numeric(series, errors="coerce").notna().to_numpy()
    bad = present & ~numbers
    if not bad.any():
        return []
    step = type(needs[0]).__name__ if needs else "t-closeness (numeric)"
    return [
        _problem(
            "policy.not_numeric",
            column=col.name,
            step=step,
            rows=int(bad.sum()),
            first_row=int(np.flatnonzero(bad)[0]),
        )
    ]


def _coverage_problems(col: ColumnPolicy, series: pd.Series) -> list[PolicyProblem]:
    # Coverage is judged on the values the hierarchy will actually see, i.e.
    # after the column's own value transformations (e.g. top coding of ages).
    from enclave.privacy.transform import apply_value_steps

    assert col.hierarchy is not None
    # The hierarchy sees values after the value steps but before its own
    # generalization step (a generalized label is not in its own table).
    before = replace(col, transforms=tuple(t for t in col.transforms if not isinstance(t, Generalize)))
    values = apply_value_steps(series, before, pseudonym_key=None)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if len(uniques) == 0:
        return []
    bad_unique = col.hierarchy.uncovered_mask(np.asarray(uniques, dtype=object))
    if not bad_unique.any():
        return []
    bad_rows = np.zeros(len(codes), dtype=bool)
    valid = codes >= 0
    bad_rows[valid] = bad_unique[codes[valid]]
    message = "policy.not_dates" if col.hierarchy.kind == "date" else "policy.uncovered_values"
    return [
        _problem(
            message,
            column=col.name,
            count=int(bad_unique.sum()),
            rows=int(bad_rows.sum()),
            first_row=int(np.flatnonzero(bad_rows)[0]),
        )
    ]


# --- loading ------------------------------------------------------------------

_TOP_KEYS = {"dataset", "version", "description", "thresholds", "columns"}
_COLUMN_KEYS = {
    "required",
    "role",
    "transforms",
    "hierarchy",
    "min_level",
    "max_level",
    "agency",
    "sensitive_kind",
}
_THRESHOLD_KEYS = set(Thresholds().to_dict())


def load_policy(path: str | Path) -> Policy:
    """Load and validate a policy file.

    Args:
        path: Path of a UTF-8 YAML policy.

    Returns:
        The validated policy.

    Raises:
        PolicyError: If the file cannot be read or is not a YAML mapping.
        PolicyValidationError: Listing every problem of the policy at once.
    """
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError("policy.unreadable", path=path.name, reason=type(exc).__name__) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"YAML error at line {mark.line + 1}" if mark is not None else "YAML error"
        raise PolicyError("policy.unreadable", path=path.name, reason=where) from None
    if not isinstance(raw, Mapping):
        raise PolicyError("policy.not_mapping", path=path.name)
    return policy_from_dict(raw, source=str(path))


def policy_from_dict(raw: Mapping[str, Any], *, source: str | None = None) -> Policy:
    """Build a policy from its mapping form, collecting every problem.

    Args:
        raw: The parsed YAML mapping.
        source: Where it came from (kept on the policy, not hashed).

    Returns:
        The validated policy.

    Raises:
        PolicyValidationError: Listing every problem at once.
    """
    problems: list[PolicyProblem] = []
    for key in ("dataset", "thresholds", "columns"):
        if key not in raw:
            problems.append(_problem("policy.missing_key", key=key))
    for key in sorted(set(raw) - _TOP_KEYS):
        problems.append(_problem("policy.unknown_key", key=str(key), where="policy"))
    thresholds = _parse_thresholds(raw.get("thresholds") or {}, problems)
    columns: list[ColumnPolicy] = []
    raw_columns = raw.get("columns") or {}
    if not isinstance(raw_columns, Mapping):
        problems.append(_problem("policy.missing_key", key="columns"))
        raw_columns = {}
    for name, spec in raw_columns.items():
        col = _parse_column(str(name), spec, problems)
        if col is not None:
            columns.append(col)
    if raw_columns and not any(c.role == "quasi_identifier" for c in columns):
        problems.append(_problem("policy.no_quasi_identifiers"))
    version = raw.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        problems.append(
            _problem(
                "policy.threshold_range",
                name="version",
                expected="a positive integer",
                actual=str(version),
            )
        )
        version = 1
    if problems:
        raise PolicyValidationError(problems)
    return Policy(
        dataset=str(raw["dataset"]),
        version=version,
        thresholds=thresholds,
        columns=tuple(columns),
        description=str(raw.get("description", "")),
        source=source,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_thresholds(raw: Any, problems: list[PolicyProblem]) -> Thresholds:
    if not isinstance(raw, Mapping):
        problems.append(_problem("policy.missing_key", key="thresholds"))
        return Thresholds()
    for key in sorted(set(raw) - _THRESHOLD_KEYS):
        problems.append(_problem("policy.unknown_key", key=str(key), where="thresholds"))
    values = {**Thresholds().to_dict(), **{k: v for k, v in raw.items() if k in _THRESHOLD_KEYS}}

    def check(name: str, ok: bool, expected: str) -> None:
        if not ok:
            problems.append(_problem("policy.threshold_range", name=name, expected=expected, actual=str(values[name])))

    k = values["k"]
    check("k", isinstance(k, int) and not isinstance(k, bool) and k >= 1, "an integer ≥ 1")
    l_value = values["l"]
    check("l", l_value is None or (_is_number(l_value) and l_value >= 1), "a number ≥ 1 or absent")
    check("l_kind", values["l_kind"] in get_args(LKind), "distinct or entropy")
    t = values["t"]
    check("t", t is None or (_is_number(t) and 0 < t <= 1), "a number in (0, 1] or absent")
    risk = values["max_prosecutor_risk"]
    check(
        "max_prosecutor_risk",
        risk is None or (_is_number(risk) and 0 < risk <= 1),
        "a number in (0, 1] or absent",
    )
    budget = values["suppression_budget"]
    check("suppression_budget", _is_number(budget) and 0 <= budget < 1, "a share in [0, 1)")
    population = values["population_size"]
    check(
        "population_size",
        population is None or (isinstance(population, int) and not isinstance(population, bool) and population >= 1),
        "a positive integer or absent",
    )
    attack = values["max_attack_risk"]
    check("max_attack_risk", _is_number(attack) and 0 < attack <= 1, "a number in (0, 1]")
    confidence = values["confidence_level"]
    check("confidence_level", _is_number(confidence) and 0.5 <= confidence < 1, "a number in [0.5, 1)")
    try:
        return Thresholds(
            k=int(k) if isinstance(k, int) else 5,
            l=float(l_value) if _is_number(l_value) else None,
            l_kind=values["l_kind"] if values["l_kind"] in get_args(LKind) else "distinct",
            t=float(t) if _is_number(t) else None,
            max_prosecutor_risk=float(risk) if _is_number(risk) else None,
            suppression_budget=float(budget) if _is_number(budget) else 0.05,
            population_size=population if isinstance(population, int) else None,
            max_attack_risk=float(attack) if _is_number(attack) else 0.1,
            confidence_level=float(confidence) if _is_number(confidence) else 0.95,
        )
    except (TypeError, ValueError):
        return Thresholds()


def _parse_column(name: str, spec: Any, problems: list[PolicyProblem]) -> ColumnPolicy | None:
    if isinstance(spec, str):
        spec = {"role": spec}
    if not isinstance(spec, Mapping):
        problems.append(_problem("policy.bad_role", column=name, role="(none)", allowed=list(_ROLES)))
        return None
    for key in sorted(set(spec) - _COLUMN_KEYS):
        problems.append(_problem("policy.unknown_key", key=str(key), where=f"column '{name}'"))
    role = spec.get("role")
    ok = True
    if role not in _ROLES:
        problems.append(_problem("policy.bad_role", column=name, role=str(role), allowed=list(_ROLES)))
        ok = False
    hierarchy: Hierarchy | None = None
    if "hierarchy" in spec:
        if isinstance(spec["hierarchy"], Mapping):
            hierarchy, reasons = hierarchy_from_dict(spec["hierarchy"])
        else:
            reasons = ["hierarchy must be a mapping with a 'kind'"]
        for reason in reasons:
            problems.append(_problem("policy.bad_hierarchy", column=name, reason=reason))
            ok = False
    transforms: list[TransformStep] = []
    raw_steps = spec.get("transforms", [])
    if not isinstance(raw_steps, list):
        problems.append(_problem("policy.bad_transform", column=name, step=1, reason="'transforms' must be a list"))
        raw_steps = []
        ok = False
    for index, raw_step in enumerate(raw_steps, start=1):
        step, reason = _parse_step(raw_step)
        if step is None:
            problems.append(_problem("policy.bad_transform", column=name, step=index, reason=reason))
            ok = False
            continue
        if isinstance(step, Generalize):
            if hierarchy is None or not 0 <= step.level < hierarchy.height:
                problems.append(
                    _problem(
                        "policy.bad_transform",
                        column=name,
                        step=index,
                        reason="generalize needs a hierarchy with that level",
                    )
                )
                ok = False
            elif role == "quasi_identifier":
                problems.append(
                    _problem(
                        "policy.bad_transform",
                        column=name,
                        step=index,
                        reason="quasi-identifiers use min_level, not generalize",
                    )
                )
                ok = False
        transforms.append(step)
    if role == "direct_identifier" and transforms:
        problems.append(
            _problem(
                "policy.bad_transform",
                column=name,
                step=1,
                reason="direct identifiers are removed; they take no transforms",
            )
        )
        ok = False
    min_level = spec.get("min_level", 0)
    max_level = spec.get("max_level")
    height = hierarchy.height if hierarchy is not None else 1
    if not isinstance(min_level, int) or isinstance(min_level, bool) or not 0 <= min_level < height:
        problems.append(
            _problem(
                "policy.bad_hierarchy",
                column=name,
                reason=f"min_level must be an integer in 0..{height - 1}",
            )
        )
        ok = False
        min_level = 0
    if max_level is not None and (
        not isinstance(max_level, int) or isinstance(max_level, bool) or not min_level <= max_level < height
    ):
        problems.append(
            _problem(
                "policy.bad_hierarchy",
                column=name,
                reason=f"max_level must be an integer in {min_level}..{height - 1}",
            )
        )
        ok = False
        max_level = None
    sensitive_kind = spec.get("sensitive_kind", "categorical")
    if sensitive_kind not in get_args(SensitiveKind):
        problems.append(
            _problem(
                "policy.bad_transform",
                column=name,
                step=0,
                reason="sensitive_kind must be categorical or numeric",
            )
        )
        ok = False
        sensitive_kind = "categorical"
    agency = spec.get("agency")
    required = spec.get("required", True)
    if not isinstance(required, bool):
        problems.append(_problem("policy.bad_transform", column=name, step=0, reason="required must be true or false"))
        ok = False
    if not ok:
        return None
    return ColumnPolicy(
        name=name,
        role=cast(Role, role),
        transforms=tuple(transforms),
        hierarchy=hierarchy,
        min_level=min_level,
        max_level=max_level,
        agency=None if agency is None else str(agency),
        sensitive_kind=sensitive_kind,
        required=bool(required),
    )


def _parse_step(raw: Any) -> tuple[TransformStep | None, str]:
    if raw == "pseudonym":
        return Pseudonymize(), ""
    if not isinstance(raw, Mapping) or len(raw) != 1:
        return None, "a step is 'pseudonym' or a one-key mapping such as {round: 1000}"
    ((kind, arg),) = raw.items()
    if kind == "round":
        if _is_number(arg) and arg > 0:
            return Round(float(arg)), ""
        return None, "round needs a positive base"
    if kind == "top_bottom_code":
        if not isinstance(arg, Mapping) or not set(arg) <= {"lower", "upper"} or not arg:
            return None, "top_bottom_code needs {lower: number, upper: number}"
        lower, upper = arg.get("lower"), arg.get("upper")
        if any(v is not None and not _is_number(v) for v in (lower, upper)):
            return None, "top_bottom_code bounds must be numbers"
        if lower is not None and upper is not None and lower > upper:
            return None, "top_bottom_code lower must not exceed upper"
        return TopBottomCode(None if lower is None else float(lower), None if upper is None else float(upper)), ""
    if kind == "group_categories":
        if not isinstance(arg, Mapping) or not arg:
            return None, "group_categories needs {group: [categories]}"
        seen: set[str] = set()
        groups: list[tuple[str, tuple[str, ...]]] = []
        for group, members in arg.items():
            if not isinstance(members, list) or not members:
                return None, "each group needs a non-empty list of categories"
            labels = tuple(str(m) for m in members)
            if seen & set(labels):
                return None, "a category is listed in two groups"
            seen |= set(labels)
            groups.append((str(group), labels))
        return GroupCategories(tuple(groups)), ""
    if kind == "suppress_rare":
        if not isinstance(arg, Mapping) or not set(arg) <= {"min_count", "replacement"}:
            return None, "suppress_rare needs {min_count: integer, replacement: label}"
        count = arg.get("min_count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 2:
            return None, "suppress_rare min_count must be an integer ≥ 2"
        return SuppressRare(count, str(arg.get("replacement", "other"))), ""
    if kind == "generalize":
        if isinstance(arg, int) and not isinstance(arg, bool) and arg >= 0:
            return Generalize(arg), ""
        return None, "generalize needs a hierarchy level (integer ≥ 0)"
    return None, f"unknown step '{kind}'"
