"""The test vectors in docs/normalization.md, run against the code."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from linkage.normalize import (
    normalize_addresses,
    normalize_birth_dates,
    normalize_name_parts,
    normalize_other_ids,
    normalize_phones,
    normalize_postcodes,
    normalize_region_codes,
    normalize_rrn,
    normalize_sex,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "normalization.md"
ROW = re.compile(r"^\| (\w+) \| `(.*)` \| `(.*)` \|$")


def _decode(raw: str) -> str:
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), raw)


def _vectors() -> list[tuple[str, str, str | None]]:
    section = DOC.read_text(encoding="utf-8").split("## Test vectors", 1)[1]
    rows = []
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            kind, raw, expected = match.groups()
            rows.append((kind, _decode(raw), None if expected == "∅" else expected))
    return rows


def _name_field(field: str) -> Callable[[pd.Series], pd.Series]:
    return lambda s: getattr(normalize_name_parts(s), field)


NORMALIZERS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "full_name": _name_field("full_name"),
    "full_name_loose": _name_field("full_name_loose"),
    "family_name": _name_field("family_name"),
    "given_initial": _name_field("given_initial"),
    "name_tokens": _name_field("name_tokens"),
    "rrn": lambda s: normalize_rrn(s).rrn,
    "rrn_birth_date": lambda s: normalize_rrn(s).birth_date,
    "rrn_sex": lambda s: normalize_rrn(s).sex,
    "birth_date": lambda s: normalize_birth_dates(s).values,
    "phone": lambda s: normalize_phones(s).values,
    "sex": lambda s: normalize_sex(s).values,
    "region": lambda s: normalize_region_codes(s).region,
    "region_sido": lambda s: normalize_region_codes(s).region_sido,
    "postcode": lambda s: normalize_postcodes(s).values,
    "address": lambda s: normalize_addresses(s).values,
    "other_id": lambda s: normalize_other_ids(s).values,
}

VECTORS = _vectors()


def test_document_has_vectors_for_every_normalizer() -> None:
    kinds = {kind for kind, _, _ in VECTORS}
    assert len(VECTORS) > 60
    assert kinds == set(NORMALIZERS)


@pytest.mark.parametrize(("kind", "raw", "expected"), VECTORS)
def test_normalization_matches_documented_vector(kind: str, raw: str, expected: str | None) -> None:
    result = NORMALIZERS[kind](pd.Series([raw])).iloc[0]
    assert (None if pd.isna(result) else result) == expected
