"""Fellegi–Sunter: EM recovers m, u and the match share from unlabelled agreement patterns."""

from __future__ import annotations

import numpy as np
import pytest

from linkage.fellegi_sunter import agreement_levels, estimate_model

# Three fields, three levels each (disagree, close, exact).
TRUE_M = np.array([[0.05, 0.15, 0.80], [0.10, 0.10, 0.80], [0.02, 0.08, 0.90]])
TRUE_U = np.array([[0.90, 0.08, 0.02], [0.70, 0.20, 0.10], [0.95, 0.04, 0.01]])


def _pairs(matches: int, non_matches: int, seed: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    rows = []
    for table, n in ((TRUE_M, matches), (TRUE_U, non_matches)):
        rows.append(np.stack([rng.choice(3, n, p=table[f]) for f in range(3)], axis=1))
    return np.concatenate(rows).astype(np.int8)


def test_em_recovers_m_u_and_the_match_share_of_a_hand_built_population() -> None:
    levels = _pairs(20_000, 60_000)
    model = estimate_model(levels, 3, ("name", "birth", "phone"), prior_start=0.5)
    assert model.converged
    assert model.prior == pytest.approx(0.25, abs=0.01)
    np.testing.assert_allclose(model.m, TRUE_M, atol=0.02)
    np.testing.assert_allclose(model.u, TRUE_U, atol=0.02)


def test_em_with_u_fixed_fits_m_and_the_share_among_all_pairs_on_blocked_candidates() -> None:
    # A population of 200,000 pairs, 4,000 of them matches; blocking keeps the
    # pairs that agree at least closely on the third field.
    population = _pairs(4_000, 196_000)
    is_match = np.arange(len(population)) < 4_000
    blocked = population[:, 2] >= 1
    candidates = population[blocked]
    model = estimate_model(
        candidates, 3, ("name", "birth", "phone"), u_start=TRUE_U, fix_u=True, total_pairs=len(population)
    )
    np.testing.assert_allclose(model.u, TRUE_U)
    # The fields blocking did not select on are recovered; the share is that of
    # the matches blocking kept, among all pairs.
    np.testing.assert_allclose(model.m[:2], TRUE_M[:2], atol=0.03)
    assert model.prior == pytest.approx((is_match & blocked).sum() / len(population), rel=0.1)


def test_missing_fields_add_no_evidence_to_the_match_weight() -> None:
    levels = _pairs(1_000, 1_000)
    model = estimate_model(levels, 3, ("name", "birth", "phone"), prior_start=0.5)
    full = np.array([[2, 2, 2]], dtype=np.int8)
    partial = np.array([[2, -1, 2]], dtype=np.int8)
    weights = model.weights
    assert model.match_weight(full)[0] - model.match_weight(partial)[0] == pytest.approx(weights[1, 2])
    assert model.match_probability(full)[0] > 0.99


def test_agreement_levels_discretise_dice_and_mark_missing() -> None:
    dice = np.array([1.0, 0.9, 0.5, np.nan], dtype=np.float32)
    assert agreement_levels(dice, (0.99, 0.8)).tolist() == [2, 1, 0, -1]


def test_em_refuses_an_empty_set_of_pairs() -> None:
    with pytest.raises(ValueError, match="non-empty"):
        estimate_model(np.zeros((0, 2), np.int8), 3, ("a", "b"))
