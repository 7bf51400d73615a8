"""The cohort filter language: what it selects, and what it refuses without running it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from export_review import RecipeError, parse_filter

FRAME = pd.DataFrame({"age": [15, 30, 70, None], "sex": ["F", "M", "F", None],
                      "region": ["Seoul", "Busan", "Jeju", "Seoul"]})


@pytest.mark.parametrize("source, selected", [
    ("", [True, True, True, True]),
    ("age >= 30", [False, True, True, False]),
    ('sex == "F" and not (age < 18)', [False, False, True, False]),
    ('region in ("Seoul", "Jeju") or age > 60', [True, False, True, True]),
    ('region not in ["Seoul"]', [False, True, True, False]),
    ("age is None", [False, False, False, True]),
    ("sex is not None and age != 30", [True, False, True, False]),
    ("age > -1.5", [True, True, True, False]),
])
def test_a_filter_selects_the_rows_it_says(source: str, selected: list[bool]) -> None:
    assert parse_filter(source, FRAME.columns).mask(FRAME).tolist() == selected


@pytest.mark.parametrize("source", [
    "__import__('os').system('true')",
    "age.__class__ == 1",
    "len(sex) > 2",
    "age + 1 > 3",
    "18 <= age < 65",
    "age >= other_column",
    "(lambda: 1)() == 1",
    "sex == f'{age}'",
    "age >>= 3",
    "x" * 3000,
])
def test_anything_outside_the_language_is_refused_unevaluated(source: str) -> None:
    with pytest.raises(RecipeError):
        parse_filter(source, FRAME.columns)


def test_unknown_columns_and_mismatched_types_name_the_column_only() -> None:
    with pytest.raises(RecipeError, match="income"):
        parse_filter("income > 3", FRAME.columns)
    with pytest.raises(RecipeError, match="region") as caught:
        parse_filter('region > 5', FRAME.columns).mask(FRAME)
    assert "Seoul" not in str(caught.value)


def test_the_mask_never_changes_the_frame() -> None:
    before = FRAME.copy()
    mask = parse_filter("age >= 30", FRAME.columns).mask(FRAME)
    assert isinstance(mask, np.ndarray)
    pd.testing.assert_frame_equal(FRAME, before)
