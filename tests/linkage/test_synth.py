"""Synthetic agency data: determinism, well-formed identifiers, ground truth, encodings."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage import generate_agency_data, write_synthetic_data
from linkage.normalize import normalize_rrn


def test_same_seed_gives_same_data_and_other_seed_differs() -> None:
    a = generate_agency_data(300, seed=5)
    b = generate_agency_data(300, seed=5)
    c = generate_agency_data(300, seed=6)
    pd.testing.assert_frame_equal(a.tables["welfare"], b.tables["welfare"])
    assert not a.tables["welfare"].equals(c.tables["welfare"])


def test_uncorrupted_rrns_are_all_valid_and_ground_truth_covers_every_row() -> None:
    data = generate_agency_data(500, corruption="none", seed=1)
    result = normalize_rrn(data.tables["health"]["rrn"])
    assert result.invalid == {} and result.missing == 0
    for agency, table in data.tables.items():
        rows = data.truth[data.truth.agency == agency]
        assert sorted(rows.row) == list(range(len(table)))
    assert set(data.tables["employment"].columns) >= {"family_name", "given_name"}
    assert "rrn" not in data.tables["employment"]


def test_higher_corruption_breaks_more_identifiers() -> None:
    low = generate_agency_data(2000, corruption="low", seed=2)
    high = generate_agency_data(2000, corruption="high", seed=2)
    def blanks(d: object) -> int:
        return int((d.tables["health"]["phone"] == "").sum())  # type: ignore[attr-defined]
    assert blanks(high) > blanks(low)
    assert high.truth.groupby(["agency", "person"]).size().max() >= 2  # duplicates exist


def test_latin_profile_uses_foreign_resident_numbers() -> None:
    data = generate_agency_data(200, corruption="none", seed=3, profile="latin")
    digits = data.tables["health"]["rrn"].str.replace("-", "").str[6].astype(int)
    assert set(digits) <= {5, 6, 7, 8}
    assert not data.tables["welfare"]["name"].str.contains("[가-힣]").any()


def test_files_are_written_in_the_requested_encoding(tmp_path: Path) -> None:
    data = generate_agency_data(100, seed=4, agencies=("welfare",))
    paths = write_synthetic_data(data, tmp_path, encoding="cp949")
    raw = paths["welfare"].read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "name" in raw.decode("cp949")
    assert paths["ground_truth"].read_text(encoding="utf-8").startswith("agency,row,person")


def test_unknown_agency_or_level_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown agency"):
        generate_agency_data(10, agencies=("tax",))
    with pytest.raises(ValueError, match="corruption"):
        generate_agency_data(10, corruption="extreme")
