"""Apply a policy's transformations to the linked dataset, and log what changed.

``pseudonymize_columns`` removes direct identifiers, replaces link ids by
project pseudonyms, rounds, top- and bottom-codes, groups categories,
suppresses rare categories and generalizes quasi-identifiers to their
``min_level``. It never mutates its input, and its ``ChangeLog`` says per
column what changed in counts only, never in values.

Every column operation works on the column's distinct values and then takes
codes, so millions of rows cost one pass plus the work on the few distinct
values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.errors import PolicyProblem, PolicyValidationError, TransformationError
from enclave.privacy.hierarchies import Hierarchy, value_label
from enclave.privacy.policy import (
    ColumnPolicy,
    Generalize,
    GroupCategories,
    Policy,
    Pseudonymize,
    Round,
    SuppressRare,
    TopBottomCode,
)
from linkage.match_keys import hmac_digests

__all__ = [
    "ChangeLog",
    "ColumnChange",
    "apply_value_steps",
    "generalize_column",
    "pseudonymize_columns",
]

_PSEUDONYM_CONTEXT = b"enclave/project-pseudonym/v1\x00"
MIN_KEY_BYTES = 32


@dataclass(frozen=True)
class ColumnChange:
    """What one operation did to one column, in counts.

    Attributes:
        column: Column name.
        action: ``removed``, ``pseudonym``, ``round``, ``top_bottom_code``,
            ``group_categories``, ``suppress_rare``, ``generalize`` or ``suppress``.
        rows_changed: Number of rows whose value changed.
        distinct_before: Distinct values before the operation.
        distinct_after: Distinct values after it.
        detail: Plain words on the operation (level names, parameters; no values).
    """

    column: str
    action: str
    rows_changed: int
    distinct_before: int
    distinct_after: int
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the change as a JSON-ready mapping."""
        return {
            "column": self.column,
            "action": self.action,
            "rows_changed": self.rows_changed,
            "distinct_before": self.distinct_before,
            "distinct_after": self.distinct_after,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class ChangeLog:
    """Every change made to a dataset, in the order it was made.

    Attributes:
        changes: The changes.
        rows_before: Rows in the input.
        rows_after: Rows in the output.
    """

    changes: tuple[ColumnChange, ...] = ()
    rows_before: int = 0
    rows_after: int = 0

    def for_column(self, column: str) -> tuple[ColumnChange, ...]:
        """Return the changes made to ``column``."""
        return tuple(c for c in self.changes if c.column == column)

    def extended(self, more: tuple[ColumnChange, ...] | list[ColumnChange], rows_after: int) -> ChangeLog:
        """Return a log with ``more`` changes appended.

        Args:
            more: Changes made after those already logged.
            rows_after: Rows in the output after those changes.

        Returns:
            A new change log.
        """
        return ChangeLog(self.changes + tuple(more), self.rows_before, rows_after)

    def to_dict(self) -> dict[str, Any]:
        """Return the log as a JSON-ready mapping."""
        return {
            "rows_before": self.rows_before,
            "rows_after": self.rows_after,
            "changes": [c.to_dict() for c in self.changes],
        }


def _distinct(series: pd.Series) -> int:
    return int(series.nunique(dropna=True))


def _labels(series: pd.Series) -> np.ndarray[Any, Any]:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    # Index -1 (missing) picks the sentinel appended last.
    labels = np.array([value_label(v) for v in uniques] + ["\x00missing"], dtype=object)
    picked: np.ndarray[Any, Any] = labels[codes]
    return picked


def _changed_rows(before: pd.Series, after: pd.Series) -> int:
    # Compare canonical labels so that 1200 and 1200.0 count as unchanged.
    return int((_labels(before) != _labels(after)).sum())


def _map_distinct(series: pd.Series, func: Any) -> pd.Series:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    mapped = np.asarray(func(np.asarray(uniques, dtype=object)), dtype=object)
    out = np.empty(len(codes), dtype=object)
    valid = codes >= 0
    out[valid] = mapped[codes[valid]]
    out[~valid] = None
    return pd.Series(out, index=series.index, name=series.name)


def _pseudonymize(series: pd.Series, key: bytes) -> pd.Series:
    # The partner tool's HMAC stage (linkage.match_keys), the project's one keyed hash.
    def pseudonyms(values: np.ndarray[Any, Any]) -> list[str]:
        tags = hmac_digests(key, [value_label(v).encode("utf-8") for v in values], _PSEUDONYM_CONTEXT)
        return [tag[:16].hex() for tag in tags]

    return _map_distinct(series, pseudonyms)


def _numeric(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce")


def _apply_step(series: pd.Series, col: ColumnPolicy, step: object, key: bytes | None) -> pd.Series:
    if isinstance(step, Pseudonymize):
        if key is None:
            raise TransformationError("transform.key_required", column=col.name)
        return _pseudonymize(series, key)
    if isinstance(step, Round):
        numbers = _numeric(series)
        rounded = np.round(numbers / step.base) * step.base
        if float(step.base).is_integer():
            return rounded.astype("Int64") if rounded.isna().any() else rounded.astype(np.int64)
        return rounded
    if isinstance(step, TopBottomCode):
        numbers = _numeric(series)
        clipped = numbers.clip(lower=step.lower, upper=step.upper)
        if pd.api.types.is_integer_dtype(series.dtype) and all(
            b is None or float(b).is_integer() for b in (step.lower, step.upper)
        ):
            return clipped.astype(series.dtype)
        return clipped
    if isinstance(step, GroupCategories):
        mapping = {value_label(m): g for g, members in step.groups for m in members}
        return _map_distinct(series, lambda u: [mapping.get(value_label(v), v) for v in u])
    if isinstance(step, SuppressRare):
        counts = series.value_counts(dropna=True)
        rare = set(counts.index[counts.to_numpy() < step.min_count])
        return _map_distinct(series, lambda u: [step.replacement if v in rare else v for v in u])
    if isinstance(step, Generalize):
        assert col.hierarchy is not None
        return generalize_column(series, col.hierarchy, step.level)
    raise TypeError(type(step).__name__)


def apply_value_steps(series: pd.Series, col: ColumnPolicy, pseudonym_key: bytes | None) -> pd.Series:
    """Apply a column's transformation steps (not its ``min_level``) to ``series``.

    Args:
        series: The column's values.
        col: The column's policy.
        pseudonym_key: Project pseudonym key; None skips pseudonym steps
            (used when only the value domain matters, as in validation).

    Returns:
        The transformed column (a new series).
    """
    out = series
    for step in col.transforms:
        if isinstance(step, Pseudonymize) and pseudonym_key is None:
            continue
        out = _apply_step(out, col, step, pseudonym_key)
    return out


def generalize_column(series: pd.Series, hierarchy: Hierarchy, level: int) -> pd.Series:
    """Generalize a column to ``level`` of ``hierarchy``.

    Args:
        series: Column values (no missing values for quasi-identifiers).
        hierarchy: The column's hierarchy.
        level: Target level.

    Returns:
        A new object series of labels; level 0 returns the input unchanged.
    """
    if level == 0:
        return series.copy()
    return _map_distinct(series, lambda u: hierarchy.generalize_values(u, level))


def _describe(step: object) -> tuple[str, str]:
    if isinstance(step, Pseudonymize):
        return "pseudonym", "replaced by project pseudonyms (keyed HMAC-SHA256)"
    if isinstance(step, Round):
        return "round", f"rounded to multiples of {step.base:g}"
    if isinstance(step, TopBottomCode):
        bounds = [
            f"{side}-coded at {value:g}"
            for side, value in (("bottom", step.lower), ("top", step.upper))
            if value is not None
        ]
        return "top_bottom_code", ", ".join(bounds)
    if isinstance(step, GroupCategories):
        return "group_categories", f"{len(step.groups)} group(s) formed"
    if isinstance(step, SuppressRare):
        return "suppress_rare", f"categories with fewer than {step.min_count} records replaced"
    if isinstance(step, Generalize):
        return "generalize", f"level {step.level}"
    return type(step).__name__, ""


def pseudonymize_columns(
    df: pd.DataFrame,
    policy: Policy,
    pseudonym_key: bytes | None,
    *,
    generalize: bool = True,
) -> tuple[pd.DataFrame, ChangeLog]:
    """Apply the policy's column transformations to the linked dataset.

    Direct identifiers are removed; each remaining column gets its steps in
    order; quasi-identifiers with a hierarchy are generalized to their
    ``min_level`` unless ``generalize`` is False (additional processing then
    chooses their levels). The input is never mutated.

    Args:
        df: The linked dataset; validate it with ``policy.validate`` first.
        policy: The pseudonymization policy.
        pseudonym_key: The project's pseudonym key (at least 32 bytes); may be
            None only if the policy has no pseudonym step.
        generalize: Whether to apply quasi-identifiers' ``min_level``.

    Returns:
        The pseudonymized dataset and the log of what changed per column.

    Raises:
        PolicyValidationError: If the data has a column the policy does not name.
        TransformationError: If a pseudonym step has no key, or the key is too short.

    Example:
        >>> out, log = pseudonymize_columns(df, policy, key)  # doctest: +SKIP
        >>> [c.action for c in log.for_column("birth_date")]  # doctest: +SKIP
        ['generalize']
    """
    if pseudonym_key is not None and len(pseudonym_key) < MIN_KEY_BYTES:
        raise TransformationError("transform.key_too_short", length=len(pseudonym_key))
    changes: list[ColumnChange] = []
    columns: dict[str, pd.Series] = {}
    known = {c.name for c in policy.columns}
    unknown = [str(name) for name in df.columns if str(name) not in known]
    if unknown:
        # A column without a role might be an identifier nobody declared;
        # passing it through would release it, so refuse instead.
        raise PolicyValidationError([PolicyProblem("policy.unknown_column", (("column", name),)) for name in unknown])
    for name in df.columns:
        col = policy.column(str(name))
        series = df[name]
        if col.role == "direct_identifier":
            changes.append(ColumnChange(col.name, "removed", len(series), _distinct(series), 0, "direct identifier"))
            continue
        for step in col.transforms:
            if isinstance(step, Pseudonymize) and pseudonym_key is None:
                raise TransformationError("transform.key_required", column=col.name)
            after = _apply_step(series, col, step, pseudonym_key)
            action, detail = _describe(step)
            if isinstance(step, Generalize) and col.hierarchy is not None:
                detail = f"level {step.level} ({col.hierarchy.level_name(step.level)})"
            changes.append(
                ColumnChange(
                    col.name,
                    action,
                    _changed_rows(series, after),
                    _distinct(series),
                    _distinct(after),
                    detail,
                )
            )
            series = after
        if generalize and col.role == "quasi_identifier" and col.hierarchy and col.min_level > 0:
            after = generalize_column(series, col.hierarchy, col.min_level)
            changes.append(
                ColumnChange(
                    col.name,
                    "generalize",
                    _changed_rows(series, after),
                    _distinct(series),
                    _distinct(after),
                    f"level {col.min_level} of {col.hierarchy.top} ({col.hierarchy.level_name(col.min_level)})",
                )
            )
            series = after
        columns[col.name] = series if series is not df[name] else series.copy()
    out = pd.DataFrame(columns, index=df.index)
    return out, ChangeLog(tuple(changes), len(df), len(out))
