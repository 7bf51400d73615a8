"""What additional processing left of each quasi-identifier, for the steward to weigh against risk.

``column_distribution`` gives a column's frequency profile for the risk
report without naming any value (the report never holds a record value): the
counts of its most common values in decreasing order, values held by fewer
than ``min_count`` records (the policy's k) counted together, and the
Shannon entropy in bits, which says how much the column can still tell
apart. ``describe_utility`` puts the profiles before and after processing
side by side with the distinct values kept and the share suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.hierarchies import SUPPRESSED, value_label

__all__ = ["column_distribution", "describe_utility"]

MAX_NAMED = 12


def _label_counts(series: pd.Series) -> pd.Series:
    # Count the raw values first (fast) and relabel the few distinct ones, so
    # that 1980 and 1980.0 are one value, as everywhere else.
    raw = series.value_counts(dropna=True)
    relabelled = pd.Series(raw.to_numpy(), index=[value_label(v) for v in raw.index], dtype="int64")
    counts = relabelled.groupby(level=0).sum()
    return counts[counts > 0].sort_values(ascending=False, kind="stable")


def column_distribution(series: pd.Series, min_count: int, *, max_listed: int = MAX_NAMED) -> dict[str, Any]:
    """Return a column's frequency profile, naming no value.

    Args:
        series: The column.
        min_count: Counts below this are only reported together (the policy's k).
        max_listed: Most counts listed one by one.

    Returns:
        ``counts`` (records of the most common values other than ``*``, in
        decreasing order), ``further`` (records of the other values held by
        ``min_count`` or more), ``rare`` (records of values held by fewer),
        ``suppressed`` (records showing ``*``) and ``entropy_bits``.
    """
    counts = _label_counts(series)
    starred = int(counts.get(SUPPRESSED, 0))
    counts = counts[counts.index != SUPPRESSED]
    common = counts[counts >= min_count]
    total = float(counts.sum() + starred)
    p = counts.to_numpy(dtype=float) / total if total else np.zeros(0)
    entropy = float(-(p * np.log2(p)).sum()) if len(p) else 0.0
    return {
        "counts": [int(c) for c in common.iloc[:max_listed]],
        "further": int(common.iloc[max_listed:].sum()),
        "rare": int(counts[counts < min_count].sum()),
        "suppressed": starred,
        "entropy_bits": entropy,
    }


def describe_utility(
    before: pd.DataFrame, after: pd.DataFrame, columns: Sequence[str], min_count: int
) -> dict[str, dict[str, Any]]:
    """Describe each column's distribution before and after processing.

    Args:
        before: Data at the policy's minimum levels.
        after: The processed data.
        columns: The quasi-identifiers.
        min_count: Smallest count a named value may have (the policy's k).

    Returns:
        Per column: ``before`` and ``after`` distributions, ``distinct_before``
        and ``distinct_after`` (``*`` not counted), ``suppressed_share`` and
        ``single_value`` (True when processing left one value or none).
    """
    out: dict[str, dict[str, Any]] = {}
    for c in columns:
        counts_after = _label_counts(after[c])
        starred = int(counts_after.get(SUPPRESSED, 0))
        distinct_after = int((counts_after.index != SUPPRESSED).sum())
        out[c] = {
            "before": column_distribution(before[c], min_count),
            "after": column_distribution(after[c], min_count),
            "distinct_before": len(_label_counts(before[c])),
            "distinct_after": distinct_after,
            "suppressed_share": float(starred / len(after)) if len(after) else 0.0,
            "single_value": distinct_after <= 1,
        }
    return out
