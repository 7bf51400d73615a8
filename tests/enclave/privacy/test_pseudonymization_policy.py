from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from enclave.privacy import (
    PolicyError,
    PolicyValidationError,
    load_policy,
    policy_from_dict,
)


def _minimal(**thresholds: object) -> dict[str, object]:
    return {
        "dataset": "t",
        "thresholds": {"k": 3, **thresholds},
        "columns": {
            "age": {"role": "quasi_identifier", "hierarchy": {"kind": "numeric_bands", "widths": [5, 10]}},
            "dx": {"role": "sensitive"},
        },
    }


def test_demo_policy_loads_with_roles(demo_policy) -> None:
    assert "region_code" in demo_policy.quasi_identifiers
    assert "diagnosis_group" in demo_policy.sensitive_attributes
    assert {"name", "rrn"} <= set(demo_policy.direct_identifiers)
    assert demo_policy.pseudonym_columns == ("link_id",)
    assert demo_policy.thresholds.k == 5
    assert demo_policy.column("region_code").hierarchy.height == 3  # 시군구, 시도, *


def test_content_hash_ignores_layout_comments_and_key_order(demo_policy_path: Path, tmp_path: Path) -> None:
    raw = yaml.safe_load(demo_policy_path.read_text(encoding="utf-8"))
    shuffled = {key: raw[key] for key in reversed(list(raw))}
    other = tmp_path / "same.yaml"
    other.write_text(yaml.safe_dump(shuffled, allow_unicode=True, sort_keys=True), encoding="utf-8")
    assert load_policy(other).content_hash == load_policy(demo_policy_path).content_hash


def test_content_hash_changes_when_a_threshold_changes() -> None:
    assert policy_from_dict(_minimal()).content_hash != policy_from_dict(_minimal(k=4)).content_hash


def test_every_threshold_problem_is_reported_at_once() -> None:
    raw = _minimal(k=0, t=1.5, suppression_budget=1.2, l_kind="maximal", bogus=1)
    with pytest.raises(PolicyValidationError) as caught:
        policy_from_dict(raw)
    message = str(caught.value)
    for name in ("'k'", "'t'", "'suppression_budget'", "'l_kind'", "'bogus'"):
        assert name in message
    assert len(caught.value.problems) == 5


def test_column_problems_are_collected_across_columns() -> None:
    raw = _minimal()
    raw["columns"] = {
        "a": {"role": "quasi"},
        "b": {"role": "quasi_identifier", "hierarchy": {"kind": "numeric_bands", "widths": [5, 7]}},
        "c": {"role": "other", "transforms": [{"round": -1}]},
        "d": {"role": "direct_identifier", "transforms": ["pseudonym"]},
    }
    with pytest.raises(PolicyValidationError) as caught:
        policy_from_dict(raw)
    ids = [p.message_id for p in caught.value.problems]
    assert ids.count("policy.bad_role") == 1
    assert ids.count("policy.bad_hierarchy") == 1
    assert ids.count("policy.bad_transform") == 2


def test_validation_against_data_lists_unknown_missing_and_uncovered(demo_policy, linked_frame) -> None:
    df = linked_frame(50)
    df["nickname"] = "x"
    df = df.drop(columns=["sex"])
    df.loc[7, "region_code"] = "SECRET-VALUE-99"
    df.loc[9, "household_type"] = "SECRET-CATEGORY"
    with pytest.raises(PolicyValidationError) as caught:
        demo_policy.validate(df)
    ids = sorted(p.message_id for p in caught.value.problems)
    assert ids == [
        "policy.missing_column",
        "policy.uncovered_values",
        "policy.uncovered_values",
        "policy.unknown_column",
    ]
    message = str(caught.value)
    assert "first row 7" in message and "first row 9" in message
    assert "SECRET" not in message


def test_optional_columns_may_be_absent(demo_policy, linked_frame) -> None:
    df = linked_frame(20)  # has birth_date but neither birth_year nor age
    demo_policy.validate(df)
    restricted = demo_policy.for_columns(df.columns)
    assert "age" not in restricted.quasi_identifiers
    assert restricted.content_hash == demo_policy.content_hash


def test_missing_quasi_identifier_values_are_a_problem(demo_policy, linked_frame) -> None:
    df = linked_frame(20)
    df.loc[3, "sex"] = None
    with pytest.raises(PolicyValidationError, match="first row 3"):
        demo_policy.validate(df)


def test_unreadable_and_malformed_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot be read"):
        load_policy(tmp_path / "absent.yaml")
    cp949 = tmp_path / "cp949.yaml"
    cp949.write_bytes("dataset: 결합\n".encode("cp949"))
    with pytest.raises(PolicyError, match="UTF-8"):
        load_policy(cp949)
    listing = tmp_path / "list.yaml"
    listing.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="mapping"):
        load_policy(listing)


def test_generalize_step_on_a_category_column_validates_and_applies(pseudonym_key) -> None:
    from enclave.privacy import pseudonymize_columns

    policy = policy_from_dict(
        {
            "dataset": "t",
            "thresholds": {"k": 1},
            "columns": {
                "age": {"role": "quasi_identifier"},
                "ward": {
                    "role": "other",
                    "hierarchy": {"kind": "categories", "levels": {"a": ["north"], "b": ["south"]}},
                    "transforms": [{"generalize": 1}],
                },
            },
        }
    )
    import pandas as pd

    df = pd.DataFrame({"age": [30, 40], "ward": ["a", "b"]})
    policy.validate(df)
    out, _ = pseudonymize_columns(df, policy, pseudonym_key)
    assert list(out["ward"]) == ["north", "south"]
