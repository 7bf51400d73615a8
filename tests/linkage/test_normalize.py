"""Normalizers beyond the documented vectors: counts, alignment, leaks, fallbacks."""

from __future__ import annotations

import unicodedata

import pandas as pd

from linkage.normalize import (
    derive_match_fields,
    normalize_name_parts,
    normalize_phones,
    normalize_rrn,
)
from linkage.policy import DatasetSchema, IdentifierColumn


def test_rrn_with_invalid_check_digit_is_counted_not_printed() -> None:
    values = pd.Series(["900101-1234567", "900101-1234568", "", "12-34"])
    result = normalize_rrn(values)
    assert result.invalid == {"rrn_check_digit": 1, "rrn_format": 1}
    assert result.missing == 1
    assert "1234567" not in repr(result)
    assert result.rrn.tolist()[1] == "9001011234568"


def test_post_2020_rrn_is_accepted_without_check_digit() -> None:
    result = normalize_rrn(pd.Series(["210101-3000000", "210101-3000001"]))
    assert result.invalid == {}
    assert result.birth_date.tolist() == ["2021-01-01", "2021-01-01"]


def test_normalizers_keep_the_input_index_and_do_not_mutate_it() -> None:
    values = pd.Series(["010-1234-5678", "bad"], index=[7, 3])
    before = values.copy()
    result = normalize_phones(values)
    assert list(result.values.index) == [7, 3]
    pd.testing.assert_series_equal(values, before)


def test_decomposed_hangul_equals_composed_hangul() -> None:
    composed = "류현진"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    parts = normalize_name_parts(pd.Series([composed, decomposed]))
    assert parts.full_name.tolist() == [composed, composed]
    assert parts.full_name_loose.tolist() == ["유현진", "유현진"]


def test_split_names_and_swapped_order_share_name_tokens() -> None:
    straight = normalize_name_parts(family=pd.Series(["김"]), given=pd.Series(["민준"]))
    swapped = normalize_name_parts(family=pd.Series(["민준"]), given=pd.Series(["김"]))
    assert straight.full_name.iloc[0] != swapped.full_name.iloc[0]
    assert straight.name_tokens.iloc[0] == swapped.name_tokens.iloc[0]


def test_birth_date_and_sex_fall_back_to_what_the_rrn_says() -> None:
    schema = DatasetSchema(
        "d",
        1,
        (
            IdentifierColumn("rrn", "rrn"),
            IdentifierColumn("birth", "birth_date"),
            IdentifierColumn("sex", "sex"),
        ),
        (),
    )
    frame = pd.DataFrame(
        {"rrn": ["900101-1234568", "900101-1234568"], "birth": ["", "1990-01-02"], "sex": ["", "F"]}
    )
    fields = derive_match_fields(frame, schema)
    assert fields.fields["birth_date"].tolist() == ["1990-01-01", "1990-01-02"]
    assert fields.fields["sex"].tolist() == ["M", "F"]
    assert fields.missing == {"birth_date": 1, "sex": 1}
    assert frame["birth"].tolist() == ["", "1990-01-02"]
