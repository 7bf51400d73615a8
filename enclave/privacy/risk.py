"""Identification-risk measures over the quasi-identifiers of a dataset.

An *equivalence class* is the set of records sharing one combination of
quasi-identifier values. From the class sizes follow k-anonymity (smallest
class), the share of records in classes smaller than k, record-level
prosecutor risk (1 / size of the record's class) and sample uniqueness. Per
sensitive attribute: distinct and entropy l-diversity, and t-closeness (the
earth mover's distance between a class's distribution and the whole table's,
with ordered distance for numbers and equal distance for categories, as in
Li et al. 2007 and ARX). With a population size, population uniqueness is
estimated (see ``population``).

All measures are computed with vectorized integer codes: each column is
factorized once, the codes are combined into one class id, and every
statistic is a ``bincount`` over ids. Records whose quasi-identifiers are all
``*`` (suppressed by additional processing) are not in any class: they no
longer single anyone out, as in ARX.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.errors import RiskMeasurementError
from enclave.privacy.hierarchies import SUPPRESSED
from enclave.privacy.policy import Policy, SensitiveKind, Thresholds
from enclave.privacy.population import PopulationUniqueness, estimate_population_uniqueness

__all__ = [
    "RiskMeasures",
    "SensitiveRisk",
    "encode_classes",
    "measure_k_anonymity",
    "measure_risk",
]

Codes = np.ndarray[Any, np.dtype[np.int64]]
Floats = np.ndarray[Any, np.dtype[np.float64]]


@dataclass(frozen=True)
class SensitiveRisk:
    """Attribute-disclosure measures of one sensitive attribute.

    Attributes:
        column: Sensitive attribute.
        kind: ``numeric`` (ordered distance) or ``categorical`` (equal distance).
        distinct_l: Fewest distinct values in any class (distinct l-diversity).
        entropy_l: Smallest ``exp(entropy)`` of any class (entropy l-diversity).
        t_closeness: Largest earth mover's distance of any class to the table.
        records_below_l: Records in classes below the policy's l (0 if no l).
        records_above_t: Records in classes above the policy's t (0 if no t).
    """

    column: str
    kind: SensitiveKind
    distinct_l: int
    entropy_l: float
    t_closeness: float
    records_below_l: int
    records_above_t: int

    def to_dict(self) -> dict[str, Any]:
        """Return the measures as a JSON-ready mapping."""
        return {
            "column": self.column,
            "kind": self.kind,
            "distinct_l": self.distinct_l,
            "entropy_l": self.entropy_l,
            "t_closeness": self.t_closeness,
            "records_below_l": self.records_below_l,
            "records_above_t": self.records_above_t,
        }


@dataclass(frozen=True)
class RiskMeasures:
    """Identification-risk measures of one dataset under one policy's thresholds.

    Attributes:
        records: Records in the dataset.
        suppressed_records: Records whose quasi-identifiers are all suppressed.
        quasi_identifiers: Quasi-identifiers measured.
        classes: Number of equivalence classes.
        smallest_class: Size of the smallest class (the k the data achieves).
        k_required: The k the records are judged against.
        records_in_small_classes: Records in classes smaller than ``k_required``.
        max_prosecutor_risk: Highest record-level prosecutor risk (1 / smallest class).
        mean_prosecutor_risk: Average record-level risk (classes / records).
        risk_threshold: Record-level risk above which a record is at risk.
        records_above_risk_threshold: Records whose risk exceeds ``risk_threshold``.
        sample_uniques: Records alone in their class.
        class_sizes: Pairs (class size, number of classes of that size), ascending.
        sensitive: Measures per sensitive attribute.
        population: Population-uniqueness estimates (None without a population size).
    """

    records: int
    suppressed_records: int
    quasi_identifiers: tuple[str, ...]
    classes: int
    smallest_class: int
    k_required: int
    records_in_small_classes: int
    max_prosecutor_risk: float
    mean_prosecutor_risk: float
    risk_threshold: float
    records_above_risk_threshold: int
    sample_uniques: int
    class_sizes: tuple[tuple[int, int], ...]
    sensitive: tuple[SensitiveRisk, ...] = ()
    population: PopulationUniqueness | None = None

    @property
    def measured_records(self) -> int:
        """Records that belong to an equivalence class (not suppressed)."""
        return self.records - self.suppressed_records

    @property
    def share_in_small_classes(self) -> float:
        """Share of measured records in classes smaller than ``k_required``."""
        return self.records_in_small_classes / self.measured_records if self.measured_records else 0.0

    @property
    def share_above_risk_threshold(self) -> float:
        """Share of measured records whose prosecutor risk exceeds the threshold."""
        return self.records_above_risk_threshold / self.measured_records if self.measured_records else 0.0

    @property
    def sample_uniqueness(self) -> float:
        """Share of measured records that are unique in the sample."""
        return self.sample_uniques / self.measured_records if self.measured_records else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return the measures as a JSON-ready mapping (aggregates only)."""
        return {
            "records": self.records,
            "suppressed_records": self.suppressed_records,
            "quasi_identifiers": list(self.quasi_identifiers),
            "classes": self.classes,
            "smallest_class": self.smallest_class,
            "k_required": self.k_required,
            "records_in_small_classes": self.records_in_small_classes,
            "share_in_small_classes": self.share_in_small_classes,
            "max_prosecutor_risk": self.max_prosecutor_risk,
            "mean_prosecutor_risk": self.mean_prosecutor_risk,
            "risk_threshold": self.risk_threshold,
            "records_above_risk_threshold": self.records_above_risk_threshold,
            "share_above_risk_threshold": self.share_above_risk_threshold,
            "sample_uniques": self.sample_uniques,
            "sample_uniqueness": self.sample_uniqueness,
            "class_sizes": [list(p) for p in self.class_sizes],
            "sensitive": [s.to_dict() for s in self.sensitive],
            "population": None if self.population is None else self.population.to_dict(),
        }


# --- encoding ------------------------------------------------------------------


def _codes(series: pd.Series) -> tuple[Codes, int]:
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int64)
        return codes, len(series.cat.categories)
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return codes.astype(np.int64, copy=False), len(uniques)


def _compress(key: Codes, cardinality: int) -> tuple[Codes, int]:
    # Dense keys (cardinality close to the row count) renumber with a bincount,
    # which is several times faster than hashing; sparse keys hash.
    if cardinality <= 4 * len(key) + 1024:
        present = np.bincount(key, minlength=cardinality) > 0
        remap = np.cumsum(present, dtype=np.int64) - 1
        return remap[key], int(present.sum())
    ids, uniques = pd.factorize(key)
    return ids.astype(np.int64, copy=False), len(uniques)


def combine_codes(parts: Sequence[tuple[Codes, int]], n: int) -> tuple[Codes, int]:
    """Combine per-column codes into one dense class id per row.

    Args:
        parts: Pairs (codes, cardinality), one per column.
        n: Number of rows.

    Returns:
        Class ids ``0..classes-1`` and the number of classes.
    """
    key = np.zeros(n, dtype=np.int64)
    cardinality = 1
    for codes, card in parts:
        card = max(card, 1)
        if cardinality * card >= 2**62:
            key, cardinality = _compress(key, cardinality)
        key = key * card + codes
        cardinality *= card
    return _compress(key, cardinality)


def encode_classes(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> tuple[Codes, int]:
    """Return each row's equivalence-class id over ``quasi_identifiers``.

    Args:
        df: The dataset.
        quasi_identifiers: Columns that define the classes.

    Returns:
        Class ids ``0..classes-1`` per row, and the number of classes.
    """
    return combine_codes([_codes(df[c]) for c in quasi_identifiers], len(df))


def _suppressed_mask(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> np.ndarray[Any, Any]:
    mask = np.ones(len(df), dtype=bool)
    for c in quasi_identifiers:
        col = df[c]
        if isinstance(col.dtype, pd.CategoricalDtype):
            if SUPPRESSED not in col.cat.categories:
                return np.zeros(len(df), dtype=bool)
            mask &= (col == SUPPRESSED).to_numpy()
        elif col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            mask &= (col == SUPPRESSED).to_numpy(dtype=bool, na_value=False)
        else:
            return np.zeros(len(df), dtype=bool)
        if not mask.any():
            return mask
    return mask


# --- sensitive attributes ---------------------------------------------------------


def _pairs(
    class_ids: Codes, n_classes: int, s_codes: Codes, n_s: int, weights: Floats | None
) -> tuple[Codes, Codes, Floats]:
    """Return (class, value, count) of every non-empty (class, value) pair, sorted."""
    key = class_ids * max(n_s, 1) + s_codes
    cardinality = n_classes * max(n_s, 1)
    if cardinality <= 4 * len(key) + 1024:
        dense = np.bincount(key, weights=weights, minlength=cardinality)
        nz = np.flatnonzero(dense)
        return nz // n_s, nz % n_s, dense[nz].astype(np.float64)
    # Hash rows to pairs, then sort only the (far fewer) pairs.
    inverse, uniq = pd.factorize(key)
    counts = np.bincount(inverse, weights=weights, minlength=len(uniq)).astype(np.float64)
    order = np.argsort(uniq, kind="stable")
    pairs: Codes = np.asarray(uniq[order], dtype=np.int64)
    sorted_counts: Floats = counts[order]
    return pairs // n_s, pairs % n_s, sorted_counts


def l_diversity(
    class_ids: Codes,
    n_classes: int,
    s_codes: Codes,
    n_s: int,
    weights: Floats | None = None,
    *,
    pairs: tuple[Codes, Codes, Floats] | None = None,
) -> tuple[Codes, Floats]:
    """Return per class the number of distinct sensitive values and exp(entropy).

    Args:
        class_ids: Class id per row.
        n_classes: Number of classes.
        s_codes: Sensitive value code per row.
        n_s: Number of distinct sensitive values.
        weights: Optional row weights (counts of identical rows).
        pairs: Precomputed (class, value, count) pairs, to share between measures.

    Returns:
        Distinct values per class, and ``exp(H)`` per class (natural log).
    """
    cls, _, counts = pairs or _pairs(class_ids, n_classes, s_codes, n_s, weights)
    sizes = np.bincount(cls, weights=counts, minlength=n_classes)
    distinct = np.bincount(cls, minlength=n_classes).astype(np.int64)
    p = counts / sizes[cls]
    entropy = np.bincount(cls, weights=-p * np.log(p), minlength=n_classes)
    return distinct, np.exp(entropy)


def t_closeness(
    class_ids: Codes,
    n_classes: int,
    s_codes: Codes,
    n_s: int,
    *,
    ordered: bool,
    weights: Floats | None = None,
    pairs: tuple[Codes, Codes, Floats] | None = None,
) -> Floats:
    """Return per class the earth mover's distance to the whole table's distribution.

    For categories every pair of values is at distance 1 (EMD is half the L1
    distance); for ordered values ``v_1 < ... < v_m`` the distance of
    ``v_i, v_j`` is ``|i - j| / (m - 1)`` and EMD is
    ``sum_i |sum_{j<=i} (p_j - q_j)| / (m - 1)`` (Li et al. 2007).

    Args:
        class_ids: Class id per row.
        n_classes: Number of classes.
        s_codes: Sensitive value code per row; for ``ordered`` the rank of the value.
        n_s: Number of distinct sensitive values.
        ordered: Whether to use ordered distance (numbers) or equal distance.
        weights: Optional row weights.
        pairs: Precomputed (class, value, count) pairs, to share between measures.

    Returns:
        EMD per class.
    """
    cls, val, counts = pairs or _pairs(class_ids, n_classes, s_codes, n_s, weights)
    sizes = np.bincount(cls, weights=counts, minlength=n_classes)
    totals = np.bincount(val, weights=counts, minlength=n_s)
    q = totals / totals.sum()
    p = counts / sizes[cls]
    if not ordered:
        # Values absent from a class contribute q_j each; present ones |p_j - q_j|.
        inside = np.bincount(cls, weights=np.abs(p - q[val]) - q[val], minlength=n_classes)
        return np.clip(0.5 * (1.0 + inside), 0.0, 1.0)
    m = n_s
    if m <= 1:
        return np.zeros(n_classes)
    cq = np.cumsum(q)
    prefix = np.concatenate(([0.0], np.cumsum(cq)))
    # Within a class, the cumulative class share is constant between two of
    # its values, so sum |P - Q(i)| over that run of i is a closed form on the
    # prefix sums of the (monotone) global cumulative Q.
    cum_p = np.cumsum(p)
    first = np.ones(len(cls), dtype=bool)
    first[1:] = cls[1:] != cls[:-1]
    start_index = np.maximum.accumulate(np.where(first, np.arange(len(cls)), 0))
    offset = np.where(start_index > 0, cum_p[start_index - 1], 0.0)
    c = cum_p - offset
    last = np.ones(len(cls), dtype=bool)
    last[:-1] = cls[1:] != cls[:-1]
    nxt = np.empty(len(val), dtype=np.int64)
    nxt[:-1] = val[1:]
    nxt[last] = m
    a, b = val, nxt
    x = np.clip(np.searchsorted(cq, c, side="left"), a, b)
    run = c * (x - a) - (prefix[x] - prefix[a]) + (prefix[b] - prefix[x]) - c * (b - x)
    head = prefix[val[first]]  # runs before the class's first value, where P = 0
    emd = np.bincount(cls, weights=run, minlength=n_classes)
    emd[cls[first]] += head
    return np.clip(emd / (m - 1), 0.0, 1.0)


def encode_sensitive(series: pd.Series, kind: SensitiveKind) -> tuple[Codes, int]:
    """Return codes of a sensitive attribute; for numbers, the rank of each value."""
    if kind == "numeric":
        numbers = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        codes, uniques = pd.factorize(numbers, use_na_sentinel=False)
        order = np.argsort(np.asarray(uniques, dtype=float), kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[codes], len(uniques)
    return _codes(series)


# --- the measures ----------------------------------------------------------------


def measure_k_anonymity(df: pd.DataFrame, quasi_identifiers: Sequence[str]) -> int:
    """Return the size of the smallest equivalence class (the k the data achieves).

    Args:
        df: The dataset.
        quasi_identifiers: Columns that define the classes.

    Returns:
        Smallest class size (0 for an empty table).
    """
    if len(df) == 0:
        return 0
    ids, n_classes = encode_classes(df, quasi_identifiers)
    return int(np.bincount(ids, minlength=n_classes).min())


def measure_risk(
    df: pd.DataFrame,
    policy: Policy,
    *,
    quasi_identifiers: Sequence[str] | None = None,
    sensitive: Sequence[str] | None = None,
) -> RiskMeasures:
    """Measure identification risk of ``df`` under the policy's thresholds.

    Args:
        df: Dataset to measure (usually after pseudonymization).
        policy: Policy naming quasi-identifiers, sensitive attributes and thresholds.
        quasi_identifiers: Override of the policy's quasi-identifiers.
        sensitive: Override of the policy's sensitive attributes.

    Returns:
        The risk measures.

    Raises:
        RiskMeasurementError: If the data is empty, lacks a named column, or the
            population is smaller than the sample.

    Example:
        >>> risk = measure_risk(df, policy)  # doctest: +SKIP
        >>> risk.smallest_class >= policy.thresholds.k  # doctest: +SKIP
        True
    """
    policy = policy.for_columns(df.columns)
    qis = tuple(quasi_identifiers if quasi_identifiers is not None else policy.quasi_identifiers)
    sens = tuple(sensitive if sensitive is not None else policy.sensitive_attributes)
    missing = [c for c in (*qis, *sens) if c not in df.columns]
    if missing:
        raise RiskMeasurementError("risk.missing_columns", columns=", ".join(missing))
    if len(df) == 0:
        raise RiskMeasurementError("risk.empty")
    kinds = {
        c: policy.column(c).sensitive_kind if c in {x.name for x in policy.columns} else "categorical" for c in sens
    }
    return measure_risk_columns(df, qis, sens, kinds, policy.thresholds)


def measure_risk_columns(
    df: pd.DataFrame,
    quasi_identifiers: Sequence[str],
    sensitive: Sequence[str],
    kinds: dict[str, SensitiveKind],
    thresholds: Thresholds,
) -> RiskMeasures:
    """Measure risk for explicit columns (``measure_risk`` without a policy).

    Args:
        df: Dataset to measure.
        quasi_identifiers: Columns defining equivalence classes.
        sensitive: Sensitive attributes.
        kinds: Distance kind per sensitive attribute.
        thresholds: Thresholds the records are judged against.

    Returns:
        The risk measures.

    Raises:
        RiskMeasurementError: If the population is smaller than the sample.
    """
    n_all = len(df)
    suppressed = _suppressed_mask(df, quasi_identifiers)
    n_suppressed = int(suppressed.sum())
    data = df.loc[~suppressed] if n_suppressed else df
    n = len(data)
    k_required = thresholds.effective_k
    threshold = thresholds.record_risk_threshold
    if n == 0:
        return RiskMeasures(
            n_all,
            n_suppressed,
            tuple(quasi_identifiers),
            0,
            0,
            k_required,
            0,
            0.0,
            0.0,
            threshold,
            0,
            0,
            (),
        )
    ids, n_classes = encode_classes(data, quasi_identifiers)
    sizes = np.bincount(ids, minlength=n_classes)
    size_values, size_counts = np.unique(sizes, return_counts=True)
    histogram = {int(s): int(c) for s, c in zip(size_values, size_counts, strict=True)}
    small = sizes < k_required
    records_small = int(sizes[small].sum())
    above = (1.0 / sizes) > threshold + 1e-12
    records_above = int(sizes[above].sum())
    sensitive_risks = []
    for column in sensitive:
        kind = kinds.get(column, "categorical")
        s_codes, n_s = encode_sensitive(data[column], kind)
        pairs = _pairs(ids, n_classes, s_codes, n_s, None)  # shared by l and t
        distinct, entropy = l_diversity(ids, n_classes, s_codes, n_s, pairs=pairs)
        emd = t_closeness(ids, n_classes, s_codes, n_s, ordered=kind == "numeric", pairs=pairs)
        below_l = 0
        if thresholds.l is not None:
            lvals = distinct if thresholds.l_kind == "distinct" else entropy
            below_l = int(sizes[lvals < thresholds.l - 1e-9].sum())
        above_t = int(sizes[emd > thresholds.t + 1e-12].sum()) if thresholds.t is not None else 0
        sensitive_risks.append(
            SensitiveRisk(
                column,
                kind,
                int(distinct.min()),
                float(entropy.min()),
                float(emd.max()),
                below_l,
                above_t,
            )
        )
    population = None
    if thresholds.population_size is not None:
        if thresholds.population_size < n:
            raise RiskMeasurementError("risk.population_too_small", population=thresholds.population_size, records=n)
        population = estimate_population_uniqueness(histogram, thresholds.population_size)
    return RiskMeasures(
        records=n_all,
        suppressed_records=n_suppressed,
        quasi_identifiers=tuple(quasi_identifiers),
        classes=int(n_classes),
        smallest_class=int(sizes.min()),
        k_required=k_required,
        records_in_small_classes=records_small,
        max_prosecutor_risk=float(1.0 / sizes.min()),
        mean_prosecutor_risk=float(n_classes / n),
        risk_threshold=threshold,
        records_above_risk_threshold=records_above,
        sample_uniques=int(histogram.get(1, 0)),
        class_sizes=tuple(sorted(histogram.items())),
        sensitive=tuple(sensitive_risks),
        population=population,
    )
