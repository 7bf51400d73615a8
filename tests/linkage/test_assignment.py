"""One-to-one assignment: a global matching keeps links a greedy pass loses."""

from __future__ import annotations

import numpy as np

from linkage.assignment import assign_greedily, assign_one_to_one


def test_assignment_links_both_records_where_greedy_links_one() -> None:
    # a1 fits b1 best (10), but a2 fits only b1 (8) and a1 also fits b2 (9):
    # greedy takes a1-b1 and strands a2 and b2; the assignment takes a1-b2, a2-b1.
    left = np.array([1, 1, 2])
    right = np.array([1, 2, 1])
    weight = np.array([10.0, 9.0, 8.0])
    greedy = assign_greedily(left, right, weight)
    best = assign_one_to_one(left, right, weight)
    assert greedy.tolist() == [True, False, False]
    assert best.tolist() == [False, True, True]
    assert weight[best].sum() > weight[greedy].sum()


def test_assignment_uses_each_record_at_most_once_in_every_component() -> None:
    rng = np.random.default_rng(3)
    left = rng.integers(0, 40, 300)
    right = rng.integers(0, 40, 300)
    keep = np.unique(left * 100 + right, return_index=True)[1]
    left, right = left[keep], right[keep]
    weight = rng.random(len(left)) + 0.1
    chosen = assign_one_to_one(left, right, weight)
    assert len(np.unique(left[chosen])) == chosen.sum()
    assert len(np.unique(right[chosen])) == chosen.sum()
    assert weight[chosen].sum() >= weight[assign_greedily(left, right, weight)].sum()


def test_separate_pairs_are_all_accepted() -> None:
    chosen = assign_one_to_one(np.array([1, 2, 3]), np.array([7, 8, 9]), np.array([1.0, 2.0, 3.0]))
    assert chosen.all()
    assert not assign_one_to_one(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)).any()
