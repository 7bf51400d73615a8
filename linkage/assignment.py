"""One-to-one acceptance of scored candidate pairs by a global assignment.

A greedy pass (take the best pair, drop its records, repeat) loses links: when
record a1 fits b1 slightly better than a2 does, but a1 also fits b2 and a2
fits nothing else, greedy links a1-b1 and leaves a2 and b2 alone, where the
assignment a1-b2, a2-b1 links both. The pairs are split into connected
components of the bipartite graph (almost all of them a single pair, decided
at once); each larger component is solved exactly as a maximum-weight
bipartite matching with :func:`scipy.optimize.linear_sum_assignment`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["assign_one_to_one", "assign_greedily"]

# A dense component larger than this (rows x columns) would need too much
# memory for the exact solver; such a component is matched greedily instead.
_MAX_DENSE_CELLS = 4_000_000


def assign_greedily(
    left: NDArray[np.int64], right: NDArray[np.int64], weight: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Accept pairs best first, skipping any whose record is taken: the baseline the assignment beats.

    Args:
        left: Left record of each pair.
        right: Right record of each pair.
        weight: Each pair's weight (higher is better).

    Returns:
        A mask of the accepted pairs.
    """
    order = np.argsort(-weight, kind="stable")
    taken_left: set[int] = set()
    taken_right: set[int] = set()
    accepted = np.zeros(len(left), dtype=bool)
    for i in order.tolist():
        a, b = int(left[i]), int(right[i])
        if a in taken_left or b in taken_right:
            continue
        taken_left.add(a)
        taken_right.add(b)
        accepted[i] = True
    return accepted


def assign_one_to_one(
    left: NDArray[np.int64], right: NDArray[np.int64], weight: NDArray[np.float64]
) -> NDArray[np.bool_]:
    """Accept a set of pairs, each record at most once, with the largest total weight.

    Args:
        left: Left record of each pair (any integer ids).
        right: Right record of each pair.
        weight: Each pair's weight; must be positive (shift log-odds above the
            acceptance threshold so every pair is worth taking).

    Returns:
        A mask of the accepted pairs.
    """
    n = len(left)
    accepted = np.zeros(n, dtype=bool)
    if n == 0:
        return accepted
    left_ids, li = np.unique(left, return_inverse=True)
    right_ids, ri = np.unique(right, return_inverse=True)
    n_left = len(left_ids)
    graph = coo_matrix(
        (np.ones(n, dtype=np.int8), (li, ri + n_left)), shape=(n_left + len(right_ids),) * 2
    )
    _, label = connected_components(graph, directed=False)
    component = label[li]
    sizes = np.bincount(component)
    # A component of one pair is that pair: accepted without a solver.
    alone = sizes[component] == 1
    accepted[alone] = True
    rest = np.flatnonzero(~alone)
    if len(rest) == 0:
        return accepted
    order = rest[np.argsort(component[rest], kind="stable")]
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    for group in np.split(order, bounds):
        rows, r_idx = np.unique(li[group], return_inverse=True)
        cols, c_idx = np.unique(ri[group], return_inverse=True)
        if len(rows) * len(cols) > _MAX_DENSE_CELLS:
            accepted[group] = assign_greedily(li[group], ri[group], weight[group])
            continue
        matrix = np.zeros((len(rows), len(cols)))
        matrix[r_idx, c_idx] = weight[group]
        chosen_r, chosen_c = linear_sum_assignment(matrix, maximize=True)
        chosen = np.zeros((len(rows), len(cols)), dtype=bool)
        chosen[chosen_r, chosen_c] = True
        # A zero cell is "no pair": the solver may pick it when a row has no
        # better use, and it is not a link.
        accepted[group] = chosen[r_idx, c_idx]
    return accepted
