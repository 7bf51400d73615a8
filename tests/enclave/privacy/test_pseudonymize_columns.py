from __future__ import annotations

import pandas as pd
import pytest

from enclave.privacy import TransformationError, policy_from_dict, pseudonymize_columns


def _policy() -> object:
    return policy_from_dict(
        {
            "dataset": "t",
            "thresholds": {"k": 2},
            "columns": {
                "name": {"role": "direct_identifier"},
                "link_id": {"role": "other", "transforms": ["pseudonym"]},
                "age": {
                    "role": "quasi_identifier",
                    "transforms": [{"top_bottom_code": {"upper": 90}}],
                    "hierarchy": {"kind": "numeric_bands", "widths": [5, 10]},
                    "min_level": 1,
                },
                "region": {
                    "role": "quasi_identifier",
                    "transforms": [{"group_categories": {"metro": ["11", "26"]}}],
                },
                "income": {"role": "sensitive", "sensitive_kind": "numeric", "transforms": [{"round": 1000}]},
                "dx": {
                    "role": "sensitive",
                    "transforms": [{"suppress_rare": {"min_count": 2, "replacement": "other"}}],
                },
            },
        }
    )


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "name": ["Hong Gildong", "Kim Cheolsu", "Lee Younghee", "Park Minsu"],
            "link_id": ["L1", "L2", "L3", "L1"],
            "age": [34, 96, 35, 71],
            "region": ["11", "26", "41", "41"],
            "income": [1499.0, 1501.0, 2000.0, 2600.0],
            "dx": ["A", "A", "B", "C"],
        }
    )


def test_pseudonymization_removes_identifiers_and_logs_counts(pseudonym_key: bytes) -> None:
    df = _frame()
    original = df.copy(deep=True)
    out, log = pseudonymize_columns(df, _policy(), pseudonym_key)
    pd.testing.assert_frame_equal(df, original)  # input untouched
    assert "name" not in out.columns
    assert list(out["age"]) == ["30-34", "90-94", "35-39", "70-74"]  # 96 top-coded to 90
    assert list(out["region"]) == ["metro", "metro", "41", "41"]
    assert list(out["income"]) == [1000, 2000, 2000, 3000]
    assert list(out["dx"]) == ["A", "A", "other", "other"]
    changes = {(c.column, c.action): c for c in log.changes}
    assert changes[("name", "removed")].rows_changed == 4
    assert changes[("age", "top_bottom_code")].rows_changed == 1
    assert changes[("age", "generalize")].rows_changed == 4
    assert changes[("region", "group_categories")].rows_changed == 2
    assert changes[("income", "round")].rows_changed == 3
    assert changes[("dx", "suppress_rare")].rows_changed == 2
    assert changes[("dx", "suppress_rare")].distinct_after == 2
    logged = str(log.to_dict())
    for value in ("Hong", "L1", "1499", "96"):
        assert value not in logged


def test_pseudonyms_are_keyed_consistent_and_project_scoped(pseudonym_key: bytes) -> None:
    out, _ = pseudonymize_columns(_frame(), _policy(), pseudonym_key)
    other, _ = pseudonymize_columns(_frame(), _policy(), bytes(reversed(pseudonym_key)))
    ids = list(out["link_id"])
    assert ids[0] == ids[3] and len(set(ids)) == 3  # same link id, same pseudonym
    assert all(len(p) == 32 and "L" not in p for p in ids)
    assert set(ids).isdisjoint(other["link_id"])  # another project's key: unlinkable


def test_pseudonym_step_without_key_is_refused() -> None:
    with pytest.raises(TransformationError, match="pseudonym_key"):
        pseudonymize_columns(_frame(), _policy(), None)
    with pytest.raises(TransformationError, match="32 bytes"):
        pseudonymize_columns(_frame(), _policy(), b"short")


def test_demo_policy_pseudonymizes_the_demo_frame(demo_policy, linked_frame, pseudonym_key) -> None:
    df = linked_frame(300)
    demo_policy.validate(df)
    out, log = pseudonymize_columns(df, demo_policy, pseudonym_key)
    assert out["birth_date"].str.fullmatch(r"\d{4}").all()  # min_level 2: birth year
    assert out["visit_date"].str.fullmatch(r"\d{4}-\d{2}").all()  # visits to the month
    assert not set(out["link_id"]) & set(df["link_id"])
    assert log.rows_before == log.rows_after == 300


def test_decomposed_hangul_gets_the_same_pseudonym(pseudonym_key: bytes) -> None:
    import unicodedata

    df = _frame()
    df.loc[0, "link_id"] = "결합01"
    df.loc[1, "link_id"] = unicodedata.normalize("NFD", "결합01")
    out, _ = pseudonymize_columns(df, _policy(), pseudonym_key)
    assert out.loc[0, "link_id"] == out.loc[1, "link_id"]


def test_columns_without_a_role_are_refused_not_passed_through(pseudonym_key: bytes) -> None:
    from enclave.privacy import PolicyValidationError

    df = _frame().assign(phone_number="010-1234-5678")
    with pytest.raises(PolicyValidationError, match="phone_number") as caught:
        pseudonymize_columns(df, _policy(), pseudonym_key)
    assert "010-1234-5678" not in str(caught.value)
