"""Additional processing checked against an exhaustive search written independently."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from enclave.privacy import (
    SUPPRESSED,
    AnonymizationError,
    anonymize,
    measure_risk,
    policy_from_dict,
)


def _policy(k: int = 5, budget: float = 0.05, **extra: object) -> object:
    return policy_from_dict(
        {
            "dataset": "lattice",
            "thresholds": {"k": k, "suppression_budget": budget, **extra},
            "columns": {
                "sex": {"role": "quasi_identifier"},
                "age": {"role": "quasi_identifier", "hierarchy": {"kind": "numeric_bands", "widths": [5, 10]}},
                "region": {"role": "quasi_identifier", "hierarchy": {"kind": "prefix", "lengths": [2], "width": 5}},
                "dx": {"role": "sensitive"},
            },
        }
    )


def _frame(n: int = 400, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "sex": rng.choice(["M", "F"], n),
            "age": rng.integers(20, 80, n),
            "region": rng.choice(["11110", "11140", "26110", "26140", "41110", "41130"], n),
            "dx": rng.choice(["a", "b", "c", "d"], n),
        }
    )


def _generalize(df: pd.DataFrame, age_level: int, region_level: int) -> pd.DataFrame:
    out = df.copy()
    age = df["age"]
    out["age"] = {
        0: age.astype(str),
        1: (age // 5 * 5).astype(str) + "-" + (age // 5 * 5 + 4).astype(str),
        2: (age // 10 * 10).astype(str) + "-" + (age // 10 * 10 + 9).astype(str),
        3: pd.Series("*", index=df.index),
    }[age_level]
    out["region"] = {0: df["region"], 1: df["region"].str[:2], 2: pd.Series("*", index=df.index)}[region_level]
    return out


def _brute_force(df: pd.DataFrame, k: int, budget: float) -> dict[tuple[int, int], float]:
    """Loss (mean normalized non-uniform entropy) of every passing node."""
    n = len(df)
    passing = {}
    for a, r in itertools.product(range(4), range(3)):
        g = _generalize(df, a, r)
        sizes = g.groupby(["sex", "age", "region"])["dx"].transform("size")
        suppressed = sizes < k
        if suppressed.sum() > math.floor(budget * n):
            continue
        losses = []
        for col in ("sex", "age", "region"):
            f0 = df[col].map(df[col].value_counts())
            fg = g[col].map(g[col].value_counts())
            cost = np.where(suppressed, np.log2(n / f0), np.log2(fg / f0))
            losses.append(cost.sum() / np.log2(n / f0).sum())
        passing[(a, r)] = float(np.mean(losses))
    return passing


@pytest.mark.parametrize(("k", "budget"), [(5, 0.05), (10, 0.02), (3, 0.0)])
def test_search_finds_the_least_loss_passing_node(k: int, budget: float) -> None:
    df = _frame()
    result = anonymize(df, _policy(k=k, budget=budget))
    passing = _brute_force(df, k, budget)
    best = min(passing.values())
    chosen = (result.levels["age"], result.levels["region"])
    assert chosen in passing
    assert result.information_loss.non_uniform_entropy == pytest.approx(passing[chosen])
    assert passing[chosen] == pytest.approx(best)
    assert result.nodes_evaluated <= result.nodes_in_lattice == 12


def test_result_meets_k_within_the_budget_and_logs_what_changed() -> None:
    df = _frame()
    original = df.copy(deep=True)
    result = anonymize(df, _policy(k=5, budget=0.05))
    pd.testing.assert_frame_equal(df, original)
    assert result.risk_after.smallest_class >= 5
    suppressed = (result.data[["sex", "age", "region"]] == SUPPRESSED).all(axis=1).sum()
    assert suppressed == result.information_loss.suppressed_records <= 20
    assert measure_risk(result.data, _policy()).smallest_class >= 5
    generalized = [c.column for c in result.change_log.changes if c.action == "generalize"]
    assert generalized == [c for c in ("age", "region") if result.levels[c] > 0]
    loss = {c.column: c for c in result.information_loss.by_column}
    assert loss["sex"].level == 0 and loss["sex"].top_level == 0


def test_l_diversity_and_t_closeness_thresholds_hold_after_processing() -> None:
    df = _frame(600)
    policy = _policy(k=3, budget=0.05, l=3, t=0.3)
    result = anonymize(df, policy)
    dx = result.risk_after.sensitive[0]
    assert dx.distinct_l >= 3 and dx.t_closeness <= 0.3


def test_impossible_thresholds_raise_a_clear_error() -> None:
    df = _frame(40)
    with pytest.raises(AnonymizationError, match="suppression budget"):
        anonymize(df.assign(sex=[f"s{i}" for i in range(40)]), _policy(k=5, budget=0.0))
    with pytest.raises(AnonymizationError, match="fewer than k"):
        anonymize(df.head(3), _policy(k=5))


def test_demo_dataset_goes_through_additional_processing(demo_policy, linked_frame, pseudonym_key) -> None:
    df = linked_frame(3000)
    result = anonymize(df, demo_policy, pseudonym_key=pseudonym_key)
    assert result.risk_before.smallest_class < 5 <= result.risk_after.smallest_class
    assert result.policy_hash == demo_policy.content_hash
    assert result.information_loss.suppressed_records <= 150
    assert not set(result.data["link_id"]) & set(df["link_id"])
    assert "birth_year" not in result.levels  # optional column absent from this extract
