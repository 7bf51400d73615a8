"""Risk figures checked against hand computations on small hand-made tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from enclave.privacy import RiskMeasurementError, measure_k_anonymity, measure_risk, policy_from_dict


def _policy(**thresholds: object) -> object:
    return policy_from_dict(
        {
            "dataset": "hand",
            "thresholds": {"k": 2, **thresholds},
            "columns": {
                "sex": {"role": "quasi_identifier"},
                "zip": {"role": "quasi_identifier"},
                "dx": {"role": "sensitive"},
                "salary": {"role": "sensitive", "sensitive_kind": "numeric"},
            },
        }
    )


# Classes: (M,100) x3, (F,100) x2, (F,200) x1  -> sizes 3, 2, 1.
HAND = pd.DataFrame(
    {
        "sex": ["M", "M", "M", "F", "F", "F"],
        "zip": ["100", "100", "100", "100", "100", "200"],
        "dx": ["flu", "flu", "cold", "flu", "flu", "cancer"],
        "salary": [3, 4, 5, 6, 6, 11],
    }
)


def test_k_anonymity_and_prosecutor_risk_match_hand_computation() -> None:
    risk = measure_risk(HAND, _policy(k=3))
    assert risk.classes == 3
    assert risk.smallest_class == 1 == measure_k_anonymity(HAND, ["sex", "zip"])
    assert risk.records_in_small_classes == 3  # classes of size 2 and 1 are below k=3
    assert risk.share_in_small_classes == pytest.approx(3 / 6)
    assert risk.max_prosecutor_risk == pytest.approx(1.0)
    assert risk.mean_prosecutor_risk == pytest.approx(3 / 6)  # sum of 1/size over records / n
    # threshold 1/k = 1/3: records with risk 1/2 and 1 exceed it -> 2 + 1 records
    assert risk.records_above_risk_threshold == 3
    assert risk.sample_uniques == 1 and risk.sample_uniqueness == pytest.approx(1 / 6)
    assert risk.class_sizes == ((1, 1), (2, 1), (3, 1))


def test_distinct_and_entropy_l_diversity_match_hand_computation() -> None:
    risk = measure_risk(HAND, _policy(l=2))
    dx = next(s for s in risk.sensitive if s.column == "dx")
    assert dx.distinct_l == 1  # classes (F,100) and (F,200) hold one diagnosis each
    assert dx.entropy_l == pytest.approx(1.0)
    assert dx.records_below_l == 3
    # entropy l of the (M,100) class alone: p = 2/3, 1/3
    alone = HAND.iloc[:3]
    h = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3))
    only = measure_risk(alone, _policy())
    assert next(s for s in only.sensitive if s.column == "dx").entropy_l == pytest.approx(math.exp(h))


def test_t_closeness_equal_distance_matches_hand_computation() -> None:
    risk = measure_risk(HAND, _policy(t=0.5))
    dx = next(s for s in risk.sensitive if s.column == "dx")
    # table: flu 4/6, cold 1/6, cancer 1/6. Class (F,200) = {cancer}:
    # EMD = 1/2 (|0-4/6| + |0-1/6| + |1-1/6|) = 5/6
    assert dx.t_closeness == pytest.approx(5 / 6)
    assert dx.records_above_t == 1


def test_t_closeness_ordered_distance_reproduces_li_et_al_example() -> None:
    # Li, Li & Venkatasubramanian (2007): salaries 3k..11k, one each; the
    # class {3k, 4k, 5k} is at EMD 0.375 and {6k, 8k, 11k} at 0.167.
    df = pd.DataFrame(
        {
            "sex": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
            "zip": ["1"] * 9,
            "dx": ["x"] * 9,
            "salary": [3, 4, 5, 6, 8, 11, 7, 9, 10],
        }
    )
    policy = _policy()
    from enclave.privacy.risk import encode_classes, encode_sensitive, t_closeness

    ids, n_classes = encode_classes(df, ["sex", "zip"])
    codes, n_values = encode_sensitive(df["salary"], "numeric")
    emd = t_closeness(ids, n_classes, codes, n_values, ordered=True)
    assert emd[0] == pytest.approx(0.375)
    assert emd[1] == pytest.approx(1 / 6)
    # brute force: |cumulative difference| summed over the ordered values / (m - 1)
    q = np.full(9, 1 / 9)
    p = np.zeros(9)
    p[[4, 6, 7]] = 1 / 3  # class c holds 7k, 9k, 10k: positions 4, 6, 7 of 3k..11k
    assert emd[2] == pytest.approx(np.abs(np.cumsum(p - q)).sum() / 8)
    assert measure_risk(df, policy).sensitive[1].t_closeness == pytest.approx(0.375)


def test_fully_suppressed_records_are_not_an_equivalence_class() -> None:
    df = HAND.copy()
    df.loc[5, ["sex", "zip"]] = "*"
    risk = measure_risk(df, _policy())
    assert risk.suppressed_records == 1
    assert risk.smallest_class == 2


def test_population_estimates_appear_only_with_a_population_size() -> None:
    assert measure_risk(HAND, _policy()).population is None
    risk = measure_risk(HAND, _policy(population_size=600))
    assert risk.population is not None and risk.population.sampling_fraction == pytest.approx(0.01)
    with pytest.raises(RiskMeasurementError, match="population size"):
        measure_risk(HAND, _policy(population_size=3))


def test_measures_are_vectorized_consistently_with_pandas_groupby() -> None:
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "sex": rng.choice(["M", "F"], 5000),
            "zip": rng.integers(0, 60, 5000).astype(str),
            "dx": rng.choice(list("abcdef"), 5000),
            "salary": rng.integers(0, 30, 5000),
        }
    )
    risk = measure_risk(df, _policy(k=5))
    sizes = df.groupby(["sex", "zip"]).size()
    assert risk.smallest_class == sizes.min()
    assert risk.records_in_small_classes == sizes[sizes < 5].sum()
    distinct = df.groupby(["sex", "zip"])["dx"].nunique()
    assert risk.sensitive[0].distinct_l == distinct.min()
    table = df["dx"].value_counts(normalize=True)
    emd = df.groupby(["sex", "zip"])["dx"].apply(
        lambda s: 0.5 * (s.value_counts(normalize=True).reindex(table.index, fill_value=0) - table).abs().sum()
    )
    assert risk.sensitive[0].t_closeness == pytest.approx(emd.max())


def test_missing_columns_are_named_without_values() -> None:
    with pytest.raises(RiskMeasurementError, match="salary"):
        measure_risk(HAND.drop(columns=["salary"]), _policy())
