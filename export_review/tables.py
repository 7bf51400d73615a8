"""Build table evidence (crosstabs, pivot tables, frequencies, summaries, histograms).

Functions here turn a DataFrame into a :class:`~export_review.outputs.TableEvidence`
with the counts, largest contributions, missing and negative counts and record
membership of every cell, margins included. They never mutate their input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from export_review.errors import OutputError
from export_review.membership import MemberArray
from export_review.messages import text
from export_review.outputs import MARGIN_LABEL, Cell, TableEvidence

__all__ = [
    "DEFAULT_SUMMARY_STATISTICS",
    "MAGNITUDE_STATISTICS",
    "SUMMARY_STATISTICS",
    "bin_histogram",
    "summarize_columns",
    "tabulate",
]

#: Aggregations a magnitude table may use.
MAGNITUDE_STATISTICS = ("sum", "mean", "median", "std", "var", "min", "max")
#: Statistics a summary may report, in ``describe`` order (plus ``sum`` and ``var``).
SUMMARY_STATISTICS = ("count", "mean", "std", "min", "p25", "median", "p75", "max")
#: What a summary reports unless asked: ``min`` and ``max`` are each one record's
#: value, so they are hidden by default.
DEFAULT_SUMMARY_STATISTICS = ("count", "mean", "std", "p25", "median", "p75")

_FloatArray = npt.NDArray[np.float64]


def _require_columns(data: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise OutputError(text("output.missing_columns", columns=", ".join(missing)))


def _aggregate(values: _FloatArray, statistic: str) -> float:
    if values.size == 0:
        return float("nan")
    if statistic == "sum":
        return float(values.sum())
    if statistic == "mean":
        return float(values.mean())
    if statistic == "median":
        return float(np.median(values))
    if statistic in ("std", "var"):
        if values.size < 2:
            return float("nan")
        # ddof=1 matches pandas' describe and pivot_table.
        result = values.var(ddof=1)
        return float(np.sqrt(result) if statistic == "std" else result)
    if statistic == "min":
        return float(values.min())
    if statistic == "max":
        return float(values.max())
    if statistic == "p25":
        return float(np.quantile(values, 0.25))
    if statistic == "p75":
        return float(np.quantile(values, 0.75))
    raise OutputError(text("output.bad_statistic", statistic=statistic))


@dataclass(frozen=True)
class _CellStats:
    count: int
    value: float
    top: tuple[float, ...]
    total: float | None
    n_missing: int
    n_negative: int
    members: MemberArray


def _cell_stats(
    positions: npt.NDArray[np.intp],
    values: _FloatArray | None,
    ids: MemberArray,
    statistic: str,
    top_n: int,
) -> _CellStats:
    if values is None:
        return _CellStats(len(positions), float(len(positions)), (), None, 0, 0, ids[positions])
    cell_values = values[positions]
    present = ~np.isnan(cell_values)
    contributions = cell_values[present]
    top = tuple(float(v) for v in np.sort(contributions)[::-1][:top_n])
    return _CellStats(
        count=int(present.sum()),
        value=_aggregate(contributions, statistic),
        top=top,
        total=float(contributions.sum()),
        n_missing=int((~present).sum()),
        n_negative=int((contributions < 0).sum()),
        members=ids[positions][present],
    )


def _label(key: Any, width: int) -> tuple[str, ...]:
    parts = key if isinstance(key, tuple) else (key,)
    labels = tuple(str(p) for p in parts)
    if len(labels) != width:
        raise OutputError(text("output.bad_labels"))
    return labels


def _group_positions(
    frame: pd.DataFrame, keys: Sequence[str]
) -> dict[tuple[str, ...], npt.NDArray[np.intp]]:
    if not keys:
        return {(): np.arange(len(frame), dtype=np.intp)}
    grouped = frame.groupby(list(keys), sort=True, observed=True, dropna=True)
    return {
        _label(key, len(keys)): np.asarray(pos, dtype=np.intp)
        for key, pos in grouped.indices.items()
    }


def _margin(width: int) -> tuple[str, ...]:
    return (MARGIN_LABEL,) + ("",) * (width - 1) if width else ()


def _numeric(data: pd.DataFrame, column: str) -> _FloatArray:
    series = data[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise OutputError(text("output.not_numeric", column=column))
    return np.asarray(pd.to_numeric(series, errors="coerce").to_numpy(dtype=float), dtype=float)


def tabulate(
    data: pd.DataFrame,
    row_vars: Sequence[str],
    col_vars: Sequence[str],
    ids: MemberArray,
    *,
    values: str | None = None,
    aggfunc: str = "count",
    margins: bool = True,
    top_n: int = 2,
) -> TableEvidence:
    """Tabulate counts, or a statistic of ``values``, by row and column variables.

    Records with a missing row or column label are left out, as ``pd.crosstab``
    does. Every combination of observed row and column labels is a cell, so
    empty combinations appear as zero counts.

    Args:
        data: the records (not modified).
        row_vars: row variables (at least one).
        col_vars: column variables (may be empty for a one-way table).
        ids: record digests aligned with ``data``'s rows.
        values: the measured variable of a magnitude table.
        aggfunc: ``count`` or one of :data:`MAGNITUDE_STATISTICS`.
        margins: add row, column and grand totals.
        top_n: how many largest contributions to keep per cell.

    Returns:
        The table evidence.

    Raises:
        OutputError: on unknown columns, a non-numeric ``values`` column or an
            unknown aggregation.
    """
    row_vars = tuple(row_vars)
    col_vars = tuple(col_vars)
    if not row_vars:
        raise OutputError(text("output.no_rows"))
    statistic = "count" if values is None else aggfunc
    if values is not None and aggfunc not in MAGNITUDE_STATISTICS + ("count",):
        raise OutputError(text("output.bad_statistic", statistic=aggfunc))
    needed = list(dict.fromkeys(row_vars + col_vars + ((values,) if values else ())))
    _require_columns(data, needed)
    keys = list(row_vars + col_vars)
    keep = np.ones(len(data), dtype=bool)
    for key in keys:
        keep &= data[key].notna().to_numpy()
    frame = data[needed] if keep.all() else data[needed].iloc[np.flatnonzero(keep)]
    frame = frame.reset_index(drop=True)
    kept_ids = ids[keep]
    measure = _numeric(frame, values) if values is not None else None
    if values is not None and aggfunc == "count":
        # A count of a measured variable counts its non-missing contributors.
        statistic = "count"

    interior = _group_positions(frame, keys)
    row_labels = sorted({k[: len(row_vars)] for k in interior}, key=_sort_key)
    col_labels = sorted({k[len(row_vars):] for k in interior}, key=_sort_key)
    empty = np.zeros(0, dtype=np.intp)
    cells: list[Cell] = []

    def make(row: tuple[str, ...], col: tuple[str, ...], pos: npt.NDArray[np.intp],
             margin: bool) -> Cell:
        stats = _cell_stats(pos, measure, kept_ids, statistic, top_n)
        is_magnitude = statistic != "count"
        return Cell(
            row=row, column=col, count=stats.count,
            value=stats.value if is_magnitude else float(stats.count),
            is_margin=margin, statistic=statistic,
            top=stats.top if is_magnitude else (),
            total=stats.total if is_magnitude else None,
            n_missing=stats.n_missing, n_negative=stats.n_negative,
            members=np.sort(stats.members),
        )

    for row in row_labels:
        for col in col_labels:
            cells.append(make(row, col, interior.get(row + col, empty), False))
    if margins:
        # Margins are unions of interior groups; no second pass over the data.
        def union(keys: list[tuple[str, ...]]) -> npt.NDArray[np.intp]:
            parts = [interior[k] for k in keys if k in interior]
            return np.concatenate(parts) if parts else empty

        if col_vars:
            for row in row_labels:
                cells.append(make(row, _margin(len(col_vars)),
                                  union([row + col for col in col_labels]), True))
        for col in col_labels:
            cells.append(make(_margin(len(row_vars)), col,
                              union([row + col for row in row_labels]), True))
        if col_vars:
            cells.append(make(_margin(len(row_vars)), _margin(len(col_vars)),
                              np.arange(len(frame), dtype=np.intp), True))
    return TableEvidence(
        statistic=statistic, row_vars=row_vars, col_vars=col_vars, value_var=values,
        cells=tuple(cells), has_margins=margins,
        extreme_statistics=(statistic,) if statistic in ("min", "max") else (),
    )


def _sort_key(labels: tuple[str, ...]) -> tuple[tuple[int, float, str], ...]:
    # Numbers sort as numbers so "10" follows "9", as in pandas' own output.
    out: list[tuple[int, float, str]] = []
    for label in labels:
        try:
            out.append((0, float(label), label))
        except ValueError:
            out.append((1, 0.0, label))
    return tuple(out)


def summarize_columns(
    data: pd.DataFrame,
    columns: Sequence[str],
    ids: MemberArray,
    *,
    statistics: Sequence[str] = DEFAULT_SUMMARY_STATISTICS,
    top_n: int = 2,
) -> TableEvidence:
    """Describe numeric columns (count, mean, spread, quantiles, extremes).

    Args:
        data: the records (not modified).
        columns: numeric columns to describe.
        ids: record digests aligned with ``data``'s rows.
        statistics: which statistics to report (default :data:`DEFAULT_SUMMARY_STATISTICS`;
            any of :data:`SUMMARY_STATISTICS`, ``sum``, ``var``).
        top_n: how many largest contributions to keep per variable.

    Returns:
        A table with one row per variable and one column per statistic.

    Raises:
        OutputError: on unknown or non-numeric columns or statistics.
    """
    _require_columns(data, columns)
    unknown = [s for s in statistics if s not in SUMMARY_STATISTICS + ("sum", "var")]
    if unknown:
        raise OutputError(text("output.bad_statistic", statistic=", ".join(unknown)))
    cells: list[Cell] = []
    everyone = np.arange(len(data), dtype=np.intp)
    for column in columns:
        measure = _numeric(data, column)
        for statistic in statistics:
            stats = _cell_stats(everyone, measure, ids, "sum" if statistic == "count"
                                else statistic, top_n)
            if statistic == "count":
                cells.append(Cell(row=(column,), column=("count",), count=stats.count,
                                  value=float(stats.count), n_missing=stats.n_missing,
                                  members=np.sort(stats.members)))
            else:
                cells.append(Cell(row=(column,), column=(statistic,), count=stats.count,
                                  value=stats.value, statistic=statistic, top=stats.top,
                                  total=stats.total, n_missing=stats.n_missing,
                                  n_negative=stats.n_negative, members=np.sort(stats.members)))
    extremes = tuple(s for s in statistics if s in ("min", "max"))
    return TableEvidence(statistic="summary", row_vars=("variable",), col_vars=("statistic",),
                         value_var=None, cells=tuple(cells), has_margins=False,
                         extreme_statistics=extremes)


def bin_histogram(
    data: pd.DataFrame,
    column: str,
    ids: MemberArray,
    *,
    bins: int | Sequence[float] = 10,
    value_range: tuple[float, float] | None = None,
) -> tuple[TableEvidence, _FloatArray]:
    """Count records per bin of a numeric column.

    When neither explicit edges nor a range are given, the outer edges are the
    data's minimum and maximum, each one record's value: the evidence records
    this so ``ExtremeValues`` can flag it.

    Args:
        data: the records (not modified).
        column: the numeric column.
        ids: record digests aligned with ``data``'s rows.
        bins: number of equal-width bins, or explicit edges.
        value_range: lower and upper edge for equal-width bins.

    Returns:
        The table evidence (one row per bin) and the bin edges.

    Raises:
        OutputError: on an unknown or non-numeric column.
    """
    _require_columns(data, [column])
    measure = _numeric(data, column)
    present = ~np.isnan(measure)
    values = measure[present]
    kept_ids = ids[present]
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    # np.histogram closes the last bin on the right; mirror it for membership.
    index = np.searchsorted(edges, values, side="right") - 1
    index[values == edges[-1]] = len(edges) - 2
    inside = (values >= edges[0]) & (values <= edges[-1])
    cells: list[Cell] = []
    for b in range(len(edges) - 1):
        closing = "]" if b == len(edges) - 2 else ")"
        label = f"[{edges[b]:g}, {edges[b + 1]:g}{closing}"
        members = np.sort(kept_ids[inside & (index == b)])
        cells.append(Cell(row=(label,), column=("count",), count=int(counts[b]),
                          value=float(counts[b]), n_missing=0, members=members))
    data_edges = isinstance(bins, int) and value_range is None
    extremes = ("lower_edge", "upper_edge") if data_edges and values.size else ()
    table = TableEvidence(statistic="count", row_vars=(f"{column} bin",), col_vars=(),
                          value_var=column, cells=tuple(cells), has_margins=False,
                          extreme_statistics=extremes)
    return table, np.asarray(edges, dtype=float)
