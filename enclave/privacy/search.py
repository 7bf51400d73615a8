"""Search of the generalization lattice for the least-loss transformation that meets thresholds.

A *node* gives each quasi-identifier a hierarchy level. A node passes when
the records in equivalence classes that break a threshold (k, prosecutor
risk, l, t) fit in the suppression budget; those records are then suppressed.
Generalizing further only merges classes, so for k-anonymity and distinct
l-diversity a node above a passing node also passes (monotonicity, the basis
of Flash and OLA). The search walks the lattice by height and does not
evaluate a node that has a passing direct predecessor: it cannot be minimal.
Among the evaluated minimal passing nodes it returns the one with the least
non-uniform entropy. For entropy l-diversity and t-closeness combined with
suppression monotonicity can fail (ARX notes the same); the result still
always meets the thresholds because only evaluated nodes are returned.

Evaluation works on a table of distinct (generalized quasi-identifier codes,
sensitive codes) rows with counts, rolled up from an already evaluated
predecessor (ARX's roll-up), so each node costs time in its predecessor's
number of distinct rows, not in records.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from enclave.privacy.hierarchies import Hierarchy
from enclave.privacy.policy import SensitiveKind, Thresholds
from enclave.privacy.risk import (
    Codes,
    Floats,
    combine_codes,
    encode_sensitive,
    l_diversity,
    t_closeness,
)

__all__ = ["LatticeDimension", "NodeEvaluation", "SearchOutcome", "search_lattice"]

Node = tuple[int, ...]


@dataclass(frozen=True)
class LatticeDimension:
    """One quasi-identifier of the lattice and the levels the search may choose.

    Attributes:
        column: Quasi-identifier.
        hierarchy: Its hierarchy, or None (fixed at level 0).
        min_level: Lowest allowed level.
        max_level: Highest allowed level.
    """

    column: str
    hierarchy: Hierarchy | None
    min_level: int
    max_level: int


@dataclass(frozen=True)
class NodeEvaluation:
    """Outcome of evaluating one node.

    Attributes:
        levels: Level per dimension.
        passes: Whether the node meets the thresholds within the budget.
        suppressed: Records that must be suppressed at this node.
        loss_by_column: Normalized non-uniform entropy per dimension (0..1).
        loss: Mean of ``loss_by_column`` (ARX's normalized non-uniform entropy).
        discernibility: Sum of squared class sizes plus suppressed records x n.
    """

    levels: Node
    passes: bool
    suppressed: int
    loss_by_column: tuple[float, ...]
    loss: float
    discernibility: float


@dataclass(frozen=True)
class SearchOutcome:
    """Result of a lattice search.

    Attributes:
        best: The chosen node (None if no node passes).
        nodes_in_lattice: Number of nodes of the lattice.
        nodes_evaluated: Number of nodes evaluated (the rest were pruned).
        fewest_suppressed: Fewest records any evaluated node needed to suppress.
    """

    best: NodeEvaluation | None
    nodes_in_lattice: int
    nodes_evaluated: int
    fewest_suppressed: int


@dataclass
class _Table:
    qi: list[Codes]
    sens: list[Codes]
    weight: Floats
    levels: Node


class _Dimension:
    """Codes of one quasi-identifier at every allowed level."""

    def __init__(self, dim: LatticeDimension, series: pd.Series, n: int) -> None:
        self.spec = dim
        codes, uniques = pd.factorize(series, use_na_sentinel=False)
        self.codes0 = codes.astype(np.int64)
        freq0 = np.bincount(self.codes0, minlength=len(uniques)).astype(np.float64)
        self.uniques = np.asarray(uniques, dtype=object)
        self.maps: dict[int, Codes] = {}
        self.labels: dict[int, np.ndarray[Any, Any]] = {}
        self.cards: dict[int, int] = {}
        self.freq: dict[int, Floats] = {}
        self.nue: dict[int, float] = {}
        values = np.asarray(uniques, dtype=object)
        for level in range(dim.min_level, dim.max_level + 1):
            if level == 0 or dim.hierarchy is None:
                mapping = np.arange(len(uniques), dtype=np.int64)
                card = len(uniques)
                self.labels[level] = values
            else:
                labels = dim.hierarchy.generalize_values(values, level)
                lcodes, luniq = pd.factorize(pd.Series(labels, dtype=object), use_na_sentinel=False)
                mapping, card = lcodes.astype(np.int64), len(luniq)
                self.labels[level] = np.asarray(luniq, dtype=object)
            self.maps[level] = mapping
            self.cards[level] = card
            freq = np.bincount(mapping, weights=freq0, minlength=card).astype(np.float64)
            self.freq[level] = freq
            # Non-uniform entropy: each record costs log2(freq of its
            # generalized value / freq of its original value) bits.
            self.nue[level] = float(np.sum(freq0 * np.log2(freq[mapping] / freq0)))
        self.nue_max = float(np.sum(freq0 * np.log2(n / freq0))) if n else 0.0
        self._between: dict[tuple[int, int], Codes] = {}

    def between(self, lower: int, upper: int) -> Codes:
        """Map codes at ``lower`` to codes at ``upper`` (a tree, so well defined)."""
        key = (lower, upper)
        if key not in self._between:
            out = np.zeros(self.cards[lower], dtype=np.int64)
            out[self.maps[lower]] = self.maps[upper]
            self._between[key] = out
        return self._between[key]


def _aggregate(
    qi: list[Codes],
    sens: list[Codes],
    weight: Floats,
    cards: list[int],
    s_cards: list[int],
    levels: Node,
) -> _Table:
    ids, groups = combine_codes(list(zip(qi + sens, cards + s_cards, strict=True)), len(weight))
    # Any row of a group represents it (all its codes are equal), so a plain
    # scatter suffices; which duplicate write wins does not matter.
    first = np.empty(groups, dtype=np.int64)
    first[ids] = np.arange(len(ids), dtype=np.int64)
    new_weight = np.bincount(ids, weights=weight, minlength=groups).astype(np.float64)
    return _Table([c[first] for c in qi], [c[first] for c in sens], new_weight, levels)


def search_lattice(
    df: pd.DataFrame,
    dimensions: Sequence[LatticeDimension],
    sensitive: Sequence[tuple[str, SensitiveKind]],
    thresholds: Thresholds,
) -> tuple[SearchOutcome, dict[str, _Dimension]]:
    """Find the least-loss node of the lattice that meets the thresholds.

    Args:
        df: Data with quasi-identifiers at level 0 (after value transformations).
        dimensions: The quasi-identifiers and their allowed levels.
        sensitive: Sensitive attributes and their distance kinds.
        thresholds: The policy's thresholds (k, prosecutor risk, l, t, budget).

    Returns:
        The search outcome, and the per-column level codes (for applying the node).
    """
    n = len(df)
    dims = {d.column: _Dimension(d, df[d.column], n) for d in dimensions}
    order = [d.column for d in dimensions]
    if thresholds.l is None and thresholds.t is None:
        # Without l or t the sensitive values play no part; leaving them out
        # keeps the tables as small as the quasi-identifier combinations.
        sensitive = []
    s_parts = [encode_sensitive(df[c], kind) for c, kind in sensitive]
    s_cards = [card for _, card in s_parts]
    kinds = [kind for _, kind in sensitive]
    budget = math.floor(thresholds.suppression_budget * n + 1e-9)
    k = thresholds.effective_k

    bottom_levels = tuple(dims[c].spec.min_level for c in order)
    bottom = _aggregate(
        [dims[c].maps[lv][dims[c].codes0] for c, lv in zip(order, bottom_levels, strict=True)],
        [codes for codes, _ in s_parts],
        np.ones(n, dtype=np.float64),
        [dims[c].cards[lv] for c, lv in zip(order, bottom_levels, strict=True)],
        s_cards,
        bottom_levels,
    )

    def roll_up(table: _Table, levels: Node) -> _Table:
        qi = [
            dims[c].between(lo, hi)[codes] if lo != hi else codes
            for c, lo, hi, codes in zip(order, table.levels, levels, table.qi, strict=True)
        ]
        cards = [dims[c].cards[lv] for c, lv in zip(order, levels, strict=True)]
        return _aggregate(qi, table.sens, table.weight, cards, s_cards, levels)

    def evaluate(table: _Table) -> NodeEvaluation:
        levels = table.levels
        cards = [dims[c].cards[lv] for c, lv in zip(order, levels, strict=True)]
        cls, n_classes = combine_codes(list(zip(table.qi, cards, strict=True)), len(table.weight))
        sizes = np.bincount(cls, weights=table.weight, minlength=n_classes)
        failing = sizes < k - 1e-9
        for codes, card, kind in zip(table.sens, s_cards, kinds, strict=True):
            if thresholds.l is not None:
                distinct, entropy = l_diversity(cls, n_classes, codes, card, table.weight)
                lvals = distinct if thresholds.l_kind == "distinct" else entropy
                failing |= lvals < thresholds.l - 1e-9
            if thresholds.t is not None:
                emd = t_closeness(cls, n_classes, codes, card, ordered=kind == "numeric", weights=table.weight)
                failing |= emd > thresholds.t + 1e-12
        suppressed = int(round(float(sizes[failing].sum())))
        losses = []
        suppressed_rows = failing[cls]
        for c, lv, codes in zip(order, levels, table.qi, strict=True):
            dim = dims[c]
            extra = 0.0
            if suppressed_rows.any():
                freq = dim.freq[lv][codes[suppressed_rows]]
                extra = float(np.sum(table.weight[suppressed_rows] * np.log2(n / freq)))
            losses.append((dim.nue[lv] + extra) / dim.nue_max if dim.nue_max > 0 else 0.0)
        kept = sizes[~failing]
        return NodeEvaluation(
            levels=levels,
            passes=suppressed <= budget,
            suppressed=suppressed,
            loss_by_column=tuple(losses),
            loss=float(np.mean(losses)) if losses else 0.0,
            discernibility=float(np.sum(kept**2) + suppressed * n),
        )

    ranges = [range(dims[c].spec.min_level, dims[c].spec.max_level + 1) for c in order]
    nodes = sorted(itertools.product(*ranges), key=lambda node: (sum(node), node))
    node_set = set(nodes)
    passing: set[Node] = set()
    tables: dict[Node, _Table] = {bottom_levels: bottom}
    evaluated = 0
    fewest = n
    best: NodeEvaluation | None = None
    current_height = sum(bottom_levels)
    for node in nodes:
        height = sum(node)
        if height != current_height:
            # Tables two heights down are no longer anyone's predecessor.
            current_height = height
            tables = {lv: t for lv, t in tables.items() if sum(lv) >= height - 1}
        predecessors = [
            node[:i] + (node[i] - 1,) + node[i + 1 :] for i in range(len(node)) if node[i] - 1 >= ranges[i].start
        ]
        if any(p in passing for p in predecessors):
            passing.add(node)
            continue
        sources = [tables[p] for p in predecessors if p in tables and p in node_set]
        source = min(sources, key=lambda t: len(t.weight)) if sources else bottom
        table = source if node == source.levels else roll_up(source, node)
        result = evaluate(table)
        evaluated += 1
        fewest = min(fewest, result.suppressed)
        tables[node] = table
        if result.passes:
            passing.add(node)
            if best is None or (result.loss, sum(result.levels), result.levels) < (
                best.loss,
                sum(best.levels),
                best.levels,
            ):
                best = result
    return SearchOutcome(best, len(nodes), evaluated, fewest), dims
