"""Local (cell) suppression: blank the few values that break k, l or t, not whole columns.

As sdcMicro's ``localSuppression`` does, the records of equivalence classes
that break a threshold lose one quasi-identifier value at a time, the least
important column first (the researcher's ranking decides; unranked columns
with more distinct values go first, as their values are what make records
unique). After each column the classes are measured again, so a record stops
losing values as soon as it sits in a class that meets every threshold. A
record still failing after every column has all its quasi-identifiers
suppressed, which is record suppression.

A suppressed cell is the value ``*`` of its own: a record with ``*`` for its
birth year forms a class only with records that also show ``*`` there and agree
on the rest. An attacker who knows the target's birth year cannot tell it from
``*``, so the true set of candidates is at least that class: counting ``*`` as a
value never overstates a class's size (sdcMicro's wildcard counting is less
conservative). Records with every quasi-identifier suppressed single no one
out and are left out of every class, as in ``measure_risk``.

The procedure works on integer codes with weights, so the lattice search runs
it on its table of distinct rows and ``anonymize`` on the same table to apply it
(decisions depend only on classes, never on row order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from enclave.privacy.policy import SensitiveKind, Thresholds
from enclave.privacy.risk import Codes, Floats, combine_codes, l_diversity, t_closeness

__all__ = ["LocalSuppression", "failing_rows", "suppress_locally"]


@dataclass(frozen=True)
class LocalSuppression:
    """Which cells local suppression blanked.

    Attributes:
        mask: Boolean array (rows x quasi-identifiers), True where local
            suppression blanked the cell (not where a column is ``*`` throughout).
        suppressed_records: Weighted count of rows with at least one blanked cell.
        removed_records: Weighted count of rows with every cell blanked.
        cells_by_column: Weighted count of blanked cells per quasi-identifier.
    """

    mask: np.ndarray[Any, Any]
    suppressed_records: int
    removed_records: int
    cells_by_column: tuple[int, ...]


def failing_rows(
    qi: Sequence[Codes],
    cards: Sequence[int],
    sens: Sequence[Codes],
    s_cards: Sequence[int],
    kinds: Sequence[SensitiveKind],
    weight: Floats,
    thresholds: Thresholds,
    *,
    excluded: np.ndarray[Any, Any] | None = None,
) -> np.ndarray[Any, Any]:
    """Return which rows sit in a class that breaks k (with prosecutor risk), l or t.

    Args:
        qi: Quasi-identifier codes per column.
        cards: Cardinality of each column's codes.
        sens: Sensitive attribute codes per column (ranks for numeric ones).
        s_cards: Cardinality of each sensitive column.
        kinds: Distance kind of each sensitive column.
        weight: Records each row stands for.
        thresholds: The policy's thresholds.
        excluded: Rows left out of every class (all quasi-identifiers suppressed);
            they never fail.

    Returns:
        Boolean array, True for rows of failing classes.
    """
    n = len(weight)
    out = np.zeros(n, dtype=bool)
    keep = np.ones(n, dtype=bool) if excluded is None else ~excluded
    if not keep.any():
        return out
    idx = np.flatnonzero(keep)
    w = weight[idx]
    cls, n_classes = combine_codes([(c[idx], card) for c, card in zip(qi, cards, strict=True)], len(idx))
    sizes = np.bincount(cls, weights=w, minlength=n_classes)
    failing = sizes < thresholds.effective_k - 1e-9
    for codes, card, kind in zip(sens, s_cards, kinds, strict=True):
        s = codes[idx]
        if thresholds.l is not None:
            distinct, entropy = l_diversity(cls, n_classes, s, card, w)
            failing |= (distinct if thresholds.l_kind == "distinct" else entropy) < thresholds.l - 1e-9
        if thresholds.t is not None:
            failing |= t_closeness(cls, n_classes, s, card, ordered=kind == "numeric", weights=w) > thresholds.t + 1e-12
    out[idx] = failing[cls]
    return out


def suppress_locally(
    qi: Sequence[Codes],
    cards: Sequence[int],
    sens: Sequence[Codes],
    s_cards: Sequence[int],
    kinds: Sequence[SensitiveKind],
    weight: Floats,
    thresholds: Thresholds,
    order: Sequence[int],
    *,
    whole_columns: Sequence[int] = (),
) -> LocalSuppression:
    """Blank quasi-identifier values, column by column in ``order``, until every class passes.

    Args:
        qi: Quasi-identifier codes per column; code ``cards[j]`` is taken as ``*``.
        cards: Cardinality of each column's codes (before ``*``).
        sens: Sensitive attribute codes per column.
        s_cards: Cardinality of each sensitive column.
        kinds: Distance kind of each sensitive column.
        weight: Records each row stands for.
        thresholds: The policy's thresholds.
        order: Column indexes, the first to lose values first (least important).
        whole_columns: Columns already ``*`` for every row (generalized to the
            top); a row with every other value blanked is then out of every class.

    Returns:
        The blanked cells and their counts.
    """
    n, d = len(weight), len(qi)
    mask = np.zeros((n, d), dtype=bool)
    whole = np.zeros(d, dtype=bool)
    whole[list(whole_columns)] = True
    mask[:, whole] = True
    codes = [np.asarray(c) for c in qi]
    star_cards = [card + 1 for card in cards]
    removed = mask.all(axis=1) if d else np.zeros(n, dtype=bool)
    failing = failing_rows(codes, star_cards, sens, s_cards, kinds, weight, thresholds, excluded=removed)
    for j in order:
        if whole[j]:
            continue
        if not failing.any():
            break
        rows = failing & ~mask[:, j]
        if not rows.any():
            continue
        codes[j] = codes[j].copy()
        codes[j][rows] = cards[j]
        mask[rows, j] = True
        removed = mask.all(axis=1)
        failing = failing_rows(codes, star_cards, sens, s_cards, kinds, weight, thresholds, excluded=removed)
    while failing.any():
        # Rows failing after every column lose every value, as records. Taking
        # them out of the table moves its overall distribution, against which
        # t-closeness is measured, so a class that passed may now fail: repeat
        # until none does (the removed set only grows, so this ends).
        mask[failing] = True
        removed = mask.all(axis=1)
        failing = failing_rows(codes, star_cards, sens, s_cards, kinds, weight, thresholds, excluded=removed)
    blanked = mask & ~whole
    any_cell = blanked.any(axis=1)
    every_cell = mask.all(axis=1) & any_cell if d else np.zeros(n, dtype=bool)
    return LocalSuppression(
        mask=blanked,
        suppressed_records=int(round(float(weight[any_cell].sum()))),
        removed_records=int(round(float(weight[every_cell].sum()))),
        cells_by_column=tuple(int(round(float(weight[blanked[:, j]].sum()))) for j in range(d)),
    )
