"""The identification-risk pre-check an agency runs before it sends content (stage 2, 식별위험 검토).

Records that share the values of every quasi-identifier the identifier
policy declares form an equivalence class. The pre-check counts the classes'
sizes over the whole content package — chunk by chunk, so memory is bounded by
the number of distinct classes, not of records — and reports figures only:
the smallest class size, how many records sit in classes smaller than the
policy's ``k``, the share of records alone in their class, and a verdict
against the policy's thresholds. A missing value counts as a value of its
own: a record whose birth year is blank is as distinguishable as any other.

The figures are sealed into the content package's manifest, so the steward
sees at the enclave what the agency saw before it sent the package.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from linkage.messages import text
from linkage.policy import PrecheckSpec

__all__ = ["EquivalenceClassCounter", "RiskPrecheck", "describe_precheck", "measure_identification_risk"]

_COUNT = "__records"


@dataclass(frozen=True)
class RiskPrecheck:
    """Figures of one pre-check; no value of any record.

    Attributes:
        quasi_identifiers: The columns whose combined values form the classes.
        k: The policy's smallest tolerated class size.
        max_share_below_k: The policy's limit on ``share_below_k``.
        max_unique_share: The policy's limit on ``unique_share``.
        records: Records checked.
        classes: Distinct equivalence classes.
        smallest_class: Size of the smallest class (the data's k).
        records_below_k: Records in classes smaller than ``k``.
        share_below_k: ``records_below_k`` over ``records``.
        unique_records: Records alone in their class.
        unique_share: ``unique_records`` over ``records``.
        passed: True when both shares are within the policy's limits.
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    max_share_below_k: float
    max_unique_share: float
    records: int
    classes: int
    smallest_class: int
    records_below_k: int
    share_below_k: float
    unique_records: int
    unique_share: float
    passed: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the figures as JSON-able data (what the manifest carries)."""
        data = asdict(self)
        data["quasi_identifiers"] = list(self.quasi_identifiers)
        return data

    def to_text(self) -> str:
        """Return a two-line readable summary (see :func:`describe_precheck`)."""
        return describe_precheck(self.to_dict())


def describe_precheck(figures: Mapping[str, Any]) -> str:
    """Return the readable summary of pre-check figures, as ``linkage prepare`` prints it.

    Args:
        figures: :meth:`RiskPrecheck.to_dict` output (as sealed in a manifest), or empty.

    Returns:
        Two lines with the verdict and the figures, or one saying no pre-check was declared.
    """
    if not figures:
        return text("precheck.none")
    return text(
        "precheck.summary",
        verdict=text("precheck.pass" if figures["passed"] else "precheck.fail"),
        columns=", ".join(figures["quasi_identifiers"]),
        records=figures["records"],
        classes=figures["classes"],
        smallest=figures["smallest_class"],
        k=figures["k"],
        below=figures["records_below_k"],
        below_share=f"{figures['share_below_k']:.2%}",
        below_limit=f"{figures['max_share_below_k']:.2%}",
        unique=figures["unique_records"],
        unique_share=f"{figures['unique_share']:.2%}",
        unique_limit=f"{figures['max_unique_share']:.2%}",
    )


class EquivalenceClassCounter:
    """Counts equivalence-class sizes over a stream of Arrow tables.

    Args:
        spec: The policy's pre-check.

    Example:
        >>> counter = EquivalenceClassCounter(spec)
        >>> for table in chunks:
        ...     counter.add(table)
        >>> counter.result().passed
    """

    def __init__(self, spec: PrecheckSpec) -> None:
        self.spec = spec
        self._counts: pa.Table | None = None

    def _group(self, table: pa.Table, aggregate: tuple[Any, str]) -> pa.Table:
        keys = list(self.spec.quasi_identifiers)
        grouped = table.group_by(keys, use_threads=False).aggregate([aggregate])
        # Arrow names an aggregate "<column>_<function>" (or "count_all"); rename it to ours.
        name = "count_all" if aggregate[1] == "count_all" else f"{aggregate[0]}_{aggregate[1]}"
        counted = pc.cast(grouped.column(name), pa.int64())
        return pa.Table.from_arrays([grouped.column(k) for k in keys] + [counted], names=[*keys, _COUNT])

    def add(self, table: pa.Table) -> None:
        """Count the classes of one chunk and merge them into the running counts.

        Args:
            table: A chunk holding at least the quasi-identifier columns.
        """
        part = self._group(table.select(list(self.spec.quasi_identifiers)), ([], "count_all"))
        if self._counts is None:
            self._counts = part
        else:
            # Re-grouping the union keeps the table at one row per class seen so far.
            merged = pa.concat_tables([self._counts, part])
            self._counts = self._group(merged, (_COUNT, "sum"))

    def result(self) -> RiskPrecheck:
        """Return the figures for everything added so far."""
        spec = self.spec
        sizes = self._counts.column(_COUNT) if self._counts is not None else pa.array([], pa.int64())
        records = int(pc.sum(sizes).as_py() or 0)
        below = int(pc.sum(pc.if_else(pc.less(sizes, spec.k), sizes, 0)).as_py() or 0)
        unique = int(pc.sum(pc.equal(sizes, 1)).as_py() or 0)
        share_below = below / records if records else 0.0
        share_unique = unique / records if records else 0.0
        return RiskPrecheck(
            quasi_identifiers=spec.quasi_identifiers,
            k=spec.k,
            max_share_below_k=spec.max_share_below_k,
            max_unique_share=spec.max_unique_share,
            records=records,
            classes=len(sizes),
            smallest_class=int(pc.min(sizes).as_py() or 0) if len(sizes) else 0,
            records_below_k=below,
            share_below_k=round(share_below, 6),
            unique_records=unique,
            unique_share=round(share_unique, 6),
            passed=share_below <= spec.max_share_below_k and share_unique <= spec.max_unique_share,
        )


def measure_identification_risk(table: pa.Table, spec: PrecheckSpec) -> RiskPrecheck:
    """Run the pre-check on one whole table.

    Args:
        table: The content (at least the quasi-identifier columns).
        spec: The policy's pre-check.

    Returns:
        The figures and the verdict.
    """
    counter = EquivalenceClassCounter(spec)
    counter.add(table)
    return counter.result()
