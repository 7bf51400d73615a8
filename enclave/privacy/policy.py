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
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from enclave.privacy.errors import PolicyProblem, PolicyValidationError
from enclave.privacy.hierarchies import Hierarchy

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

    def for_agencies(self, agencies: Iterable[str]) -> Policy:
        """Return this policy without the columns of agencies a project does not ask for.

        One policy describes every registry a linked dataset may draw on; a
        project that provides one agency's data, or links two of three, holds
        only those agencies' columns. The result keeps this policy's
        ``content_hash``: decisions made with it are decisions under this policy.

        Args:
            agencies: Codes of the agencies whose data the project holds.

        Returns:
            The policy restricted to those agencies' columns (and untagged ones).
        """
        wanted = set(agencies)
        kept = tuple(c for c in self.columns if c.agency is None or c.agency in wanted)
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
                found.append(PolicyProblem.of("policy.unknown_column", column=str(name)))
        for col in self.columns:
            if col.name not in df.columns and not col.required:
                continue
            if col.name not in df.columns:
                # Direct identifiers may already have been dropped upstream (the
                # enclave never receives them); that is the goal, not a problem.
                if col.role != "direct_identifier":
                    found.append(PolicyProblem.of("policy.missing_column", column=col.name, role=col.role))
                continue
            if col.role == "direct_identifier":
                continue
            series = df[col.name]
            if col.role == "quasi_identifier":
                missing = series.isna().to_numpy()
                if missing.any():
                    found.append(
                        PolicyProblem.of(
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
        PolicyProblem.of(
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
    from enclave.privacy.hierarchies import is_suppressed

    distinct = np.asarray(uniques, dtype=object)
    # ``*`` marks a value withheld before processing (unknown to the release); every level keeps it.
    bad_unique = col.hierarchy.uncovered_mask(distinct) & ~is_suppressed(distinct)
    if not bad_unique.any():
        return []
    bad_rows = np.zeros(len(codes), dtype=bool)
    valid = codes >= 0
    bad_rows[valid] = bad_unique[codes[valid]]
    message = "policy.not_dates" if col.hierarchy.kind == "date" else "policy.uncovered_values"
    return [
        PolicyProblem.of(
            message,
            column=col.name,
            count=int(bad_unique.sum()),
            rows=int(bad_rows.sum()),
            first_row=int(np.flatnonzero(bad_rows)[0]),
        )
    ]
