from __future__ import annotations

import numpy as np
import pytest

from enclave.privacy import (
    SUPPRESSED,
    CategoryHierarchy,
    DateHierarchy,
    NumericBandHierarchy,
    PrefixHierarchy,
)
from enclave.privacy.hierarchies import hierarchy_from_dict


def _values(*items: object) -> np.ndarray:
    return np.array(items, dtype=object)


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (0, ["1984-03-07", "1999-12-31"]),
        (1, ["1984-03", "1999-12"]),
        (2, ["1984", "1999"]),
        (3, ["1980s", "1990s"]),
        (4, [SUPPRESSED, SUPPRESSED]),
    ],
)
def test_dates_generalize_to_month_year_decade(level: int, expected: list[str]) -> None:
    hierarchy = DateHierarchy(("month", "year", "decade"))
    assert list(hierarchy.generalize_values(_values("1984-03-07", "1999-12-31"), level)) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [(1, ["30-34", "35-39", "90-94"]), (2, ["30-39", "30-39", "90-99"]), (3, ["*", "*", "*"])],
)
def test_ages_generalize_to_5_and_10_year_bands(level: int, expected: list[str]) -> None:
    hierarchy = NumericBandHierarchy((5, 10))
    assert list(hierarchy.generalize_values(_values(34, 35.0, 90), level)) == expected


def test_sigungu_generalizes_to_sido() -> None:
    hierarchy = PrefixHierarchy((2,), width=5)
    assert list(hierarchy.generalize_values(_values("11110", "26350"), 1)) == ["11", "26"]
    assert list(hierarchy.uncovered_mask(_values("11110", "1111", "111100"))) == [False, True, True]


def test_category_hierarchy_maps_and_reports_uncovered() -> None:
    hierarchy, problems = hierarchy_from_dict(
        {"kind": "categories", "levels": {"single": ["alone"], "couple": ["family"]}}
    )
    assert problems == []
    assert isinstance(hierarchy, CategoryHierarchy)
    assert list(hierarchy.generalize_values(_values("single", "couple"), 1)) == ["alone", "family"]
    assert list(hierarchy.uncovered_mask(_values("couple", "commune"))) == [False, True]


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "numeric_bands", "widths": [5, 7]},
        {"kind": "prefix", "lengths": [2, 3]},
        {"kind": "date", "steps": ["year", "month"]},
        {"kind": "categories", "levels": {"a": ["x", "p"], "b": ["x", "q"]}},
        {"kind": "zip"},
    ],
)
def test_malformed_hierarchies_are_rejected_with_a_reason(spec: dict[str, object]) -> None:
    hierarchy, problems = hierarchy_from_dict(spec)
    assert hierarchy is None and problems


def test_decomposed_hangul_is_the_same_category_as_composed() -> None:
    import unicodedata

    hierarchy, _ = hierarchy_from_dict({"kind": "categories", "levels": {"서울": ["수도권"]}})
    decomposed = unicodedata.normalize("NFD", "서울")
    assert decomposed != "서울"
    assert not hierarchy.uncovered_mask(_values(decomposed)).any()
    assert list(hierarchy.generalize_values(_values(decomposed), 1)) == ["수도권"]
