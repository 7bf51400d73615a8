from __future__ import annotations

import pandas as pd
import pytest

from enclave.privacy import (
    AttackError,
    ReplicaError,
    build_replica,
    pseudonymize_columns,
    run_attacks,
    split_control,
)

N_ATTACKS = 25

# anonymeter compiles its neighbour search with numba on first use (~10 s).
pytestmark = pytest.mark.slow


@pytest.fixture
def pseudonymized(demo_policy, linked_frame, pseudonym_key) -> pd.DataFrame:
    out, _ = pseudonymize_columns(linked_frame(300, seed=5), demo_policy, pseudonym_key)
    return out


def test_releasing_the_records_themselves_is_flagged_by_every_attack_family(demo_policy, pseudonymized) -> None:
    train, control = split_control(pseudonymized, 0.3, seed=1)
    results = run_attacks(train, train, control, demo_policy, n_attacks=N_ATTACKS, seed=1)
    names = [r.attack for r in results.risks]
    assert names[:2] == ["singling_out_univariate", "singling_out_multivariate"]
    assert {"linkability:welfare", "linkability:health", "linkability:employment"} <= set(names)
    assert {f"inference:{c}" for c in demo_policy.sensitive_attributes} <= set(names)
    for r in results.risks:
        assert 0.0 <= r.ci_low <= r.risk <= r.ci_high <= 1.0
    singling = results.risks[1]
    assert singling.risk > 0.5  # a table released as is singles people out
    assert results.exceeding(demo_policy.thresholds.max_attack_risk)
    again = run_attacks(train, train, control, demo_policy, n_attacks=N_ATTACKS, seed=1)
    # Univariate singling out is the documented exception (polars' group-by order).
    assert [r.risk for r in again.risks[1:]] == [r.risk for r in results.risks[1:]]


def test_attacks_refuse_tables_that_are_too_small_or_lack_columns(demo_policy, pseudonymized) -> None:
    small = pseudonymized.head(10)
    with pytest.raises(AttackError, match="at least"):
        run_attacks(small, small, small, demo_policy, n_attacks=5)
    train, control = split_control(pseudonymized, 0.3)
    with pytest.raises(AttackError, match="income"):
        run_attacks(train, train.drop(columns=["income"]), control, demo_policy, n_attacks=5)


def test_replica_carries_no_pseudonyms_and_release_follows_upper_bounds(demo_policy, pseudonymized) -> None:
    replica = build_replica(pseudonymized, demo_policy, seed=2, n_attacks=N_ATTACKS)
    assert "link_id" not in replica.data.columns
    assert set(replica.data.columns) <= set(pseudonymized.columns)
    assert len(replica.data) == replica.rows_fitted == 210 and replica.rows_control == 90
    assert 0.0 < replica.quality_score <= 1.0
    threshold = demo_policy.thresholds.max_attack_risk
    assert replica.may_release == all(r.ci_high < threshold for r in replica.attacks.risks)
    again = build_replica(pseudonymized, demo_policy, seed=2, n_attacks=N_ATTACKS)
    pd.testing.assert_frame_equal(replica.data, again.data)
    assert replica.quality_score == again.quality_score


def test_unknown_synthesizer_and_tiny_data_are_refused(demo_policy, pseudonymized) -> None:
    with pytest.raises(ReplicaError, match="gaussian_copula"):
        build_replica(pseudonymized, demo_policy, synthesizer="magic")  # type: ignore[arg-type]
    with pytest.raises(ReplicaError, match="at least"):
        build_replica(pseudonymized.head(10), demo_policy)


def test_ctgan_can_be_chosen_by_name(demo_policy, pseudonymized) -> None:
    replica = build_replica(
        pseudonymized.head(150), demo_policy, synthesizer="ctgan", epochs=2, n_attacks=10, seed=0
    )
    assert replica.synthesizer == "ctgan"
    assert len(replica.data) == replica.rows_fitted == 105
    assert "link_id" not in replica.data.columns
