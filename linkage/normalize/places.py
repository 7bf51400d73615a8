"""Normalization of sex codes, region codes, postcodes, addresses and other ids.

* **Sex**: ``M``/``F`` from ``M``, ``F``, ``male``, ``female``, ``남``, ``여``,
  ``남자``, ``여자``, ``남성``, ``여성``, ``1``, ``2`` (the administrative 1 = male,
  2 = female), case-insensitive.
* **Region code** (행정구역 코드): the five-digit 시군구 code, from five digits or
  the first five of a ten-digit 법정동/행정동 code; a bare two-digit 시도 code
  gives only ``region_sido``. The first two digits must be a 시도 code. The
  renamed provinces are folded onto their current codes (강원 42 → 51 in 2023,
  전북 45 → 52 in 2024; the 시군구 suffixes were kept), so old and new extracts agree.
* **Postcode**: five digits (the 2015 국가기초구역 number) or six (the older
  number, kept as is — the two cannot be converted).
* **Address**: NFC, whitespace collapsed, punctuation other than ``-`` removed,
  시도 names shortened to their common form (서울특별시 → 서울), Latin lower-cased.
* **Other id**: upper-case letters and digits, separators removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.text import Normalized, clean_text, to_series

__all__ = [
    "SIDO_CODES",
    "RegionResult",
    "normalize_addresses",
    "normalize_other_ids",
    "normalize_postcodes",
    "normalize_region_codes",
    "normalize_sex",
]

SIDO_CODES: frozenset[str] = frozenset(
    {"11", "26", "27", "28", "29", "30", "31", "36", "41", "42", "43", "44", "45",
     "46", "47", "48", "50", "51", "52"}
)
_SIDO_RENAMED = {"42": "51", "45": "52"}
_SEX = {
    "m": "M", "male": "M", "남": "M", "남자": "M", "남성": "M", "1": "M",
    "f": "F", "female": "F", "여": "F", "여자": "F", "여성": "F", "2": "F",
}
_SIDO_NAMES = {
    "서울특별시": "서울", "부산광역시": "부산", "대구광역시": "대구", "인천광역시": "인천",
    "광주광역시": "광주", "대전광역시": "대전", "울산광역시": "울산",
    "세종특별자치시": "세종", "경기도": "경기", "강원특별자치도": "강원", "강원도": "강원",
    "충청북도": "충북", "충청남도": "충남", "전북특별자치도": "전북", "전라북도": "전북",
    "전라남도": "전남", "경상북도": "경북", "경상남도": "경남", "제주특별자치도": "제주",
}


@dataclass(frozen=True)
class RegionResult:
    """Normalized region codes.

    Attributes:
        region: Five-digit 시군구 code; null when only a 시도 was given or invalid.
        region_sido: Two-digit 시도 code.
        missing: Blank inputs.
        invalid: Rejected inputs by reason.
    """

    region: pd.Series = field(repr=False)
    region_sido: pd.Series = field(repr=False)
    missing: int
    invalid: dict[str, int] = field(default_factory=dict)


def _map(arr: pa.Array, table: dict[str, str]) -> pa.Array:
    keys = pa.array(list(table), pa.string())
    values = pa.array(list(table.values()), pa.string())
    idx = pc.index_in(arr, value_set=keys)
    return pc.take(values, idx)


def normalize_sex(values: pd.Series) -> Normalized:
    """Normalize sex codes to ``M`` or ``F``.

    Args:
        values: Sex as code, English or Korean word.

    Returns:
        ``M``/``F``, null where blank or unknown, with counts.

    Example:
        >>> normalize_sex(pd.Series(["여", "Male", "1"])).values.tolist()
        ['F', 'M', 'M']
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    out = _map(pc.utf8_lower(arr), _SEX)
    bad = present & ~out.is_valid().to_numpy(zero_copy_only=False)
    return Normalized(
        values=to_series(out, values.index),
        missing=int((~present).sum()),
        invalid={"sex_code": int(bad.sum())} if bad.any() else {},
    )


def normalize_region_codes(values: pd.Series) -> RegionResult:
    """Normalize administrative region codes to 시군구 (5 digits) and 시도 (2 digits).

    Args:
        values: Codes of 2, 5 or 10 digits (separators ignored).

    Returns:
        The 시군구 and 시도 codes, with counts.

    Example:
        >>> r = normalize_region_codes(pd.Series(["4211000000", "11"]))
        >>> (r.region.tolist(), r.region_sido.tolist())
        (['51110', <NA>], ['51', '11'])
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    digits = pc.replace_substring_regex(arr, r"[\s\-.]", "")
    length = pc.utf8_length(digits)
    is_digits = pc.fill_null(pc.match_substring_regex(digits, r"^\d+$"), False)
    sido = pc.utf8_slice_codeunits(digits, 0, 2)
    renamed = _map(sido, _SIDO_RENAMED)
    sido = pc.coalesce(renamed, sido)
    sido_ok = pc.fill_null(pc.is_in(sido, value_set=pa.array(sorted(SIDO_CODES))), False)
    full = pc.and_(is_digits, pc.fill_null(pc.is_in(length, value_set=pa.array([5, 10])), False))
    only_sido = pc.and_(is_digits, pc.fill_null(pc.equal(length, 2), False))
    ok = pc.and_(sido_ok, pc.or_(full, only_sido))
    none = pa.scalar(None, pa.string())
    region = pc.binary_join_element_wise(sido, pc.utf8_slice_codeunits(digits, 2, 5), "")
    region = pc.if_else(pc.and_(ok, full), region, none)
    ok_np = ok.to_numpy(zero_copy_only=False)
    bad = present & ~ok_np
    return RegionResult(
        region=to_series(region, values.index),
        region_sido=to_series(pc.if_else(ok, sido, none), values.index),
        missing=int((~present).sum()),
        invalid={"region_code": int(bad.sum())} if bad.any() else {},
    )


def normalize_postcodes(values: pd.Series) -> Normalized:
    """Normalize postcodes to their digits (five, or six for the old system).

    Args:
        values: Postcodes such as ``03154`` or ``110-062``.

    Returns:
        Digit strings, null where blank or invalid, with counts.
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    digits = pc.replace_substring_regex(arr, r"[\s\-]", "")
    ok = pc.fill_null(pc.match_substring_regex(digits, r"^\d{5,6}$"), False)
    bad = present & ~ok.to_numpy(zero_copy_only=False)
    return Normalized(
        values=to_series(pc.if_else(ok, digits, pa.scalar(None, pa.string())), values.index),
        missing=int((~present).sum()),
        invalid={"postcode_format": int(bad.sum())} if bad.any() else {},
    )


def normalize_addresses(values: pd.Series) -> Normalized:
    """Normalize free-text addresses for exact comparison.

    Args:
        values: Addresses.

    Returns:
        Normalized addresses, null where blank, with counts.

    Example:
        >>> normalize_addresses(pd.Series(["서울특별시  종로구, 세종대로 209"])).values.tolist()
        ['서울 종로구 세종대로 209']
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    out = pc.utf8_lower(arr)
    out = pc.replace_substring_regex(out, r"[^\pL\pN\s\-]+", " ")
    out = pc.replace_substring_regex(out, r"\s+", " ")
    out = pc.utf8_trim_whitespace(out)
    for long, short in _SIDO_NAMES.items():
        out = pc.replace_substring_regex(out, f"^{long}( |$)", f"{short}\\1")
    empty = pc.fill_null(pc.equal(pc.utf8_length(out), 0), True)
    out = pc.if_else(empty, pa.scalar(None, pa.string()), out)
    bad = present & empty.to_numpy(zero_copy_only=False)
    return Normalized(
        values=to_series(out, values.index),
        missing=int((~present).sum()),
        invalid={"address_empty": int(bad.sum())} if bad.any() else {},
    )


def normalize_other_ids(values: pd.Series) -> Normalized:
    """Normalize other identifiers (member numbers and the like).

    Args:
        values: Identifiers.

    Returns:
        Upper-case alphanumerics, null where blank or left empty, with counts.
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    out = pc.utf8_upper(pc.replace_substring_regex(arr, r"[\s\-_./]", ""))
    ok = pc.fill_null(pc.match_substring_regex(out, r"^[\pL\pN]+$"), False)
    bad = present & ~ok.to_numpy(zero_copy_only=False)
    return Normalized(
        values=to_series(pc.if_else(ok, out, pa.scalar(None, pa.string())), values.index),
        missing=int((~present).sum()),
        invalid={"other_id_format": int(bad.sum())} if bad.any() else {},
    )
