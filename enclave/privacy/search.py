"""Search of the generalization lattice plus local suppression for the least information loss.

A *node* gives each quasi-identifier a hierarchy level. At a node the
records of equivalence classes that break a threshold (k, prosecutor risk, l,
t) lose single values by local suppression (see ``local_suppression``), the
least important column first; the node passes when the records touched fit
in the suppression budget. Its loss is the normalized non-uniform entropy of
each column (generalization plus the blanked cells), averaged with the
researcher's importance weights.

A column left with a single value (every record ``*`` or one group) loses
every analysis that needs it, which an average of losses hides; the search
therefore minimizes first the number of such columns, then the loss.

The search is branch and bound, best first: a node's generalization loss
alone is a lower bound of its loss with suppression, and that bound never
falls when any column is generalized further (hierarchies are trees). Nodes
are visited in increasing bound; once the next bound exceeds the best loss
found, no unvisited node can do better and the result is the optimum over
the lattice (for the suppression procedure used). Past ``max_evaluations``
nodes the search stops with the best found and reports the bound of the next
node: the optimum lies between the two (a documented heuristic with a bound,
for lattices too large to finish). A node whose records in failing classes
already exceed the budget fails without running the suppression (every such
record loses at least one value).

Evaluation works on a table of distinct (generalized quasi-identifier codes,
sensitive codes) rows with counts, rolled up from a cached table below it
(ARX's roll-up), so each node costs time in distinct rows, not in records.
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
from enclave.privacy.local_suppression import failing_rows, suppress_locally
from enclave.privacy.policy import SensitiveKind, Thresholds
from enclave.privacy.risk import Codes, Floats, combine_codes, encode_sensitive

__all__ = [
    "LatticeDimension",
    "NodeEvaluation",
    "SearchOutcome",
    "aggregate_rows",
    "column_weights",
    "search_lattice",
    "suppression_plan",
]

MAX_EVALUATIONS = 2000
"""Nodes evaluated before the search settles for its best with a bound."""
CACHED_TABLES = 64

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
        suppressed: Records with at least one value suppressed at this node.
        loss_by_column: Normalized non-uniform entropy per dimension (0..1),
            generalization plus blanked cells.
        loss: Importance-weighted mean of ``loss_by_column`` (with equal
            weights ARX's normalized non-uniform entropy).
        discernibility: Sum of squared class sizes plus fully suppressed records x n.
        cells_by_column: Values blanked per dimension.
        single_valued: Dimensions left with at most one value (``*`` or one group).
    """

    levels: Node
    passes: bool
    suppressed: int
    loss_by_column: tuple[float, ...]
    loss: float
    discernibility: float
    cells_by_column: tuple[int, ...] = ()
    single_valued: int = 0


@dataclass(frozen=True)
class SearchOutcome:
    """Result of a lattice search.

    Attributes:
        best: The chosen node (None if no node passes).
        nodes_in_lattice: Number of nodes of the lattice.
        nodes_evaluated: Number of nodes evaluated (the rest were pruned).
        fewest_suppressed: Fewest records any evaluated node needed to suppress.
        is_optimal: Whether the search finished: ``best`` has the least loss
            of every node (False: stopped at ``max_evaluations``).
        lower_bound: No node has less loss than this (equal to the best loss
            when optimal; None when no node passed and the search finished).
    """

    best: NodeEvaluation | None
    nodes_in_lattice: int
    nodes_evaluated: int
    fewest_suppressed: int
    is_optimal: bool = True
    lower_bound: float | None = None


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


def aggregate_rows(
    qi: list[Codes],
    sens: list[Codes],
    cards: list[int],
    s_cards: list[int],
) -> tuple[Codes, list[Codes], list[Codes], Floats]:
    """Group rows by their codes: each row's group, and the groups' codes and counts.

    Args:
        qi: Quasi-identifier codes per column.
        sens: Sensitive codes per column.
        cards: Cardinality of each quasi-identifier.
        s_cards: Cardinality of each sensitive attribute.

    Returns:
        Group id per row, quasi-identifier and sensitive codes per group, and
        the number of rows per group.
    """
    n = len(qi[0]) if qi else 0
    ids, groups = combine_codes(list(zip(qi + sens, cards + s_cards, strict=True)), n)
    first = np.empty(groups, dtype=np.int64)
    first[ids] = np.arange(len(ids), dtype=np.int64)
    weight = np.bincount(ids, minlength=groups).astype(np.float64)
    return ids, [c[first] for c in qi], [c[first] for c in sens], weight


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


def _suppression_order(
    order: Sequence[str], levels: Node, dims: dict[str, _Dimension], weights: dict[str, float]
) -> list[int]:
    # The least important column loses values first; among equals the one
    # with more distinct values at this level, since its values are what make
    # records unique (sdcMicro's default). Columns already at ``*`` have
    # nothing left to blank.
    whole = set(_top_columns(order, levels, dims))
    free = [i for i in range(len(order)) if i not in whole]
    return sorted(free, key=lambda i: (weights.get(order[i], 1.0), -dims[order[i]].cards[levels[i]], i))


def suppression_plan(
    order: Sequence[str], levels: Node, dims: dict[str, _Dimension], importance: Sequence[str] | None
) -> tuple[list[int], list[int]]:
    """Return the order in which columns lose values at a node, and the columns already ``*``.

    Args:
        order: The quasi-identifiers in lattice order.
        levels: The node.
        dims: Per-column codes from ``search_lattice``.
        importance: Columns in decreasing importance.

    Returns:
        ``(order, whole_columns)`` as column indexes, for ``suppress_locally``.
    """
    weights = column_weights(order, importance)
    return _suppression_order(order, levels, dims, weights), _top_columns(order, levels, dims)


def _rank(result: NodeEvaluation) -> tuple[int, float, int, Node]:
    return (result.single_valued, result.loss, sum(result.levels), result.levels)


def _top_columns(order: Sequence[str], levels: Node, dims: dict[str, _Dimension]) -> list[int]:
    out = []
    for i, (c, lv) in enumerate(zip(order, levels, strict=True)):
        hierarchy = dims[c].spec.hierarchy
        if hierarchy is not None and lv == hierarchy.top:
            out.append(i)
    return out


def column_weights(columns: Sequence[str], importance: Sequence[str] | None) -> dict[str, float]:
    """Weight of each column's information loss from the researcher's importance ranking.

    The ranked columns, most important first, weigh ``m + 1, m, ..., 2`` (``m``
    ranked columns); columns the plan does not name weigh 1. The search
    minimizes the weighted mean loss, so it coarsens a key variable only where
    coarsening an unranked one cannot meet the thresholds.

    Args:
        columns: The quasi-identifiers.
        importance: Columns in decreasing importance (None or empty: all equal).

    Returns:
        Weight per column.
    """
    ranked = [c for c in (importance or ()) if c in set(columns)]
    out = {c: 1.0 for c in columns}
    for i, c in enumerate(ranked):
        out[c] = float(len(ranked) + 1 - i)
    return out


def search_lattice(
    df: pd.DataFrame,
    dimensions: Sequence[LatticeDimension],
    sensitive: Sequence[tuple[str, SensitiveKind]],
    thresholds: Thresholds,
    *,
    importance: Sequence[str] | None = None,
    max_evaluations: int = MAX_EVALUATIONS,
    keep_columns: bool = True,
) -> tuple[SearchOutcome, dict[str, _Dimension]]:
    """Find the node plus local suppression with the least information loss that meets the thresholds.

    Args:
        df: Data with quasi-identifiers at level 0 (after value transformations).
        dimensions: The quasi-identifiers and their allowed levels.
        sensitive: Sensitive attributes and their distance kinds.
        thresholds: The policy's thresholds (k, prosecutor risk, l, t, budget).
        importance: Quasi-identifiers in decreasing importance to the
            researcher's analysis: their loss weighs more, and their values are
            blanked last.
        max_evaluations: Nodes evaluated at most; past it the result is the
            best found, with ``lower_bound`` saying how far from optimal it can be.
        keep_columns: Minimize first the columns left with one value, then
            the loss (True); False minimizes the loss alone, as ARX does.

    Returns:
        The search outcome, and the per-column level codes (for applying the node).
    """
    n = len(df)
    dims = {d.column: _Dimension(d, df[d.column], n) for d in dimensions}
    order = [d.column for d in dimensions]
    weights = column_weights(order, importance)
    w = np.array([weights[c] for c in order], dtype=np.float64)
    w_sum = float(w.sum()) or 1.0
    if thresholds.l is None and thresholds.t is None:
        # Without l or t the sensitive values play no part; leaving them out
        # keeps the tables as small as the quasi-identifier combinations.
        sensitive = []
    s_parts = [encode_sensitive(df[c], kind) for c, kind in sensitive]
    s_cards = [card for _, card in s_parts]
    kinds = [kind for _, kind in sensitive]
    budget = math.floor(thresholds.suppression_budget * n + 1e-9)

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

    def generalization_loss(levels: Node) -> tuple[float, ...]:
        return tuple(
            dims[c].nue[lv] / dims[c].nue_max if dims[c].nue_max > 0 else 0.0
            for c, lv in zip(order, levels, strict=True)
        )

    def single_valued(levels: Node) -> int:
        if not keep_columns:
            return 0
        return sum(dims[c].cards[lv] <= 1 for c, lv in zip(order, levels, strict=True))

    def evaluate(table: _Table) -> NodeEvaluation:
        levels = table.levels
        cards = [dims[c].cards[lv] for c, lv in zip(order, levels, strict=True)]
        failing = failing_rows(table.qi, cards, table.sens, s_cards, kinds, table.weight, thresholds)
        initially = int(round(float(table.weight[failing].sum())))
        gen = generalization_loss(levels)
        if initially > budget:
            # Every record of a failing class loses at least one value, so
            # the node cannot fit the budget: skip the suppression itself.
            loss = float(np.dot(w, gen) / w_sum)
            return NodeEvaluation(
                levels, False, initially, gen, loss, float("inf"), (0,) * len(order), single_valued(levels)
            )
        cut = suppress_locally(
            table.qi,
            cards,
            table.sens,
            s_cards,
            kinds,
            table.weight,
            thresholds,
            _suppression_order(order, levels, dims, weights),
            whole_columns=_top_columns(order, levels, dims),
        )
        losses = []
        for j, (c, lv, codes) in enumerate(zip(order, levels, table.qi, strict=True)):
            dim = dims[c]
            extra = 0.0
            rows = cut.mask[:, j]
            if rows.any():
                # A blanked cell loses what its generalized value still told.
                freq = dim.freq[lv][codes[rows]]
                extra = float(np.sum(table.weight[rows] * np.log2(n / freq)))
            losses.append((dim.nue[lv] + extra) / dim.nue_max if dim.nue_max > 0 else 0.0)
        cls, n_classes = combine_codes(
            [
                (np.where(cut.mask[:, j], cards[j], codes), cards[j] + 1)
                for j, codes in enumerate(table.qi)
            ],
            len(table.weight),
        )
        blank = cut.mask.copy()
        blank[:, _top_columns(order, levels, dims)] = True
        kept = ~blank.all(axis=1)
        sizes = np.bincount(cls[kept], weights=table.weight[kept], minlength=n_classes)
        return NodeEvaluation(
            levels=levels,
            passes=cut.suppressed_records <= budget,
            suppressed=cut.suppressed_records,
            loss_by_column=tuple(losses),
            loss=float(np.dot(w, losses) / w_sum),
            discernibility=float(np.sum(sizes**2) + cut.removed_records * n),
            cells_by_column=cut.cells_by_column,
            single_valued=single_valued(levels),
        )

    ranges = [range(dims[c].spec.min_level, dims[c].spec.max_level + 1) for c in order]
    nodes = list(itertools.product(*ranges))
    # A column left with one value (``*`` for everyone) ends every analysis
    # that needs it, which an average of losses hides: the search first keeps
    # as many columns as it can at two values or more, then minimizes loss.
    bounds = {
        node: (single_valued(node), float(np.dot(w, generalization_loss(node)) / w_sum)) for node in nodes
    }
    # Best first by the lower bound: a node's generalization loss never
    # exceeds its loss with suppression, and both it and the number of
    # single-valued columns grow along every dimension, so once the next
    # bound is above the best found no node can do better.
    nodes.sort(key=lambda node: (bounds[node], sum(node), node))
    cache: dict[Node, _Table] = {bottom_levels: bottom}
    evaluated = 0
    fewest = n
    best: NodeEvaluation | None = None
    lower_bound: float | None = None
    exhausted = True
    for node in nodes:
        if best is not None and bounds[node] > (best.single_valued, best.loss + 1e-12):
            break
        if evaluated >= max_evaluations:
            exhausted = False
            lower_bound = bounds[node][1]
            break
        # Roll up from the smallest cached table below this node (ARX's roll-up).
        sources = [t for lv, t in cache.items() if all(a <= b for a, b in zip(lv, node, strict=True))]
        source = min(sources, key=lambda t: len(t.weight))
        table = source if source.levels == node else roll_up(source, node)
        result = evaluate(table)
        evaluated += 1
        fewest = min(fewest, result.suppressed)
        if len(cache) < CACHED_TABLES:
            cache[node] = table
        if result.passes and (best is None or _rank(result) < _rank(best)):
            best = result
    if best is not None and exhausted:
        lower_bound = best.loss
    return SearchOutcome(best, len(nodes), evaluated, fewest, exhausted, lower_bound), dims
