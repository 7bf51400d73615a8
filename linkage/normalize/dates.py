"""Normalization of dates (birth dates and date content) to ISO ``YYYY-MM-DD``.

Accepted forms: ``YYYY-MM-DD``, ``YYYY.MM.DD`` (with or without a final dot),
``YYYY/MM/DD``, ``YYYY MM DD``, ``YYYYMMDD``, ``YYYY년 M월 D일``, and two-digit
years ``YY.MM.DD`` / ``YY-MM-DD`` / ``YY/MM/DD``; a time part after the date is
ignored. Two-digit years use a pivot: years up to the current two-digit year
are 20YY, later ones 19YY — right for birth dates of living people, so do not
use two-digit years for anything born before 1926 or after today. Bare six
digits (``YYMMDD``) are refused because they read equally well as other orders.
Impossible dates (Feb 30) are invalid; birth dates must also not lie in the
future nor before 1880.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from linkage.normalize.text import Normalized, clean_text, to_series

__all__ = ["days_in_month", "normalize_birth_dates", "normalize_dates", "parse_date_parts"]

_PATTERNS: tuple[tuple[str, bool], ...] = (
    (r"^(?P<y>\d{4})\s*[-./ ]\s*(?P<m>\d{1,2})\s*[-./ ]\s*(?P<d>\d{1,2})\.?", False),
    (r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", False),
    (r"^(?P<y>\d{4})\s*년\s*(?P<m>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일", False),
    (r"^(?P<y>\d{2})\s*[-./]\s*(?P<m>\d{1,2})\s*[-./]\s*(?P<d>\d{1,2})\.?", True),
)
_TIME_TAIL = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"


def days_in_month(year: NDArray[Any], month: NDArray[Any]) -> NDArray[Any]:
    """Return the number of days of each (year, month), Gregorian calendar.

    Args:
        year: Integer years.
        month: Integer months 1-12 (other values give 0).

    Returns:
        Days in month, 0 where the month is out of range.
    """
    base = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    m = np.where((month >= 1) & (month <= 12), month, 0)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.asarray(base[m] + ((m == 2) & leap), dtype=np.int64)


def parse_date_parts(arr: pa.Array) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Parse clean date strings into year, month, day arrays and a matched mask.

    Args:
        arr: NFC, trimmed Arrow strings (nulls allowed).

    Returns:
        ``(year, month, day, matched)``; unmatched rows hold zeros.
    """
    n = len(arr)
    year = np.zeros(n, dtype=np.int64)
    month = np.zeros(n, dtype=np.int64)
    day = np.zeros(n, dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    pivot = dt.date.today().year % 100
    for pattern, two_digit in _PATTERNS:
        parts = pc.extract_regex(arr, pattern + _TIME_TAIL)
        ok = parts.is_valid().to_numpy(zero_copy_only=False) & ~matched
        if not ok.any():
            continue
        valid = pa.array(ok)
        y, m, d = (
            pc.cast(pc.if_else(valid, parts.field(name), "0"), pa.int64()).to_numpy()
            for name in ("y", "m", "d")
        )
        if two_digit:
            y = np.where(y <= pivot, 2000 + y, 1900 + y)
        year = np.where(ok, y, year)
        month = np.where(ok, m, month)
        day = np.where(ok, d, day)
        matched |= ok
    return year, month, day, matched


def _iso(year: NDArray[Any], month: NDArray[Any], day: NDArray[Any], keep: NDArray[Any]) -> pa.Array:
    number = pa.array(year * 10000 + month * 100 + day, pa.int64())
    digits = pc.utf8_lpad(pc.cast(number, pa.string()), 8, "0")
    iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(digits, 0, 4),
        pc.utf8_slice_codeunits(digits, 4, 6),
        pc.utf8_slice_codeunits(digits, 6, 8),
        "-",
    )
    return pc.if_else(pa.array(keep), iso, pa.scalar(None, pa.string()))


def _normalize(values: pd.Series, *, birth: bool) -> Normalized:
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    year, month, day, matched = parse_date_parts(arr)
    real = matched & (day >= 1) & (day <= days_in_month(year, month))
    invalid: dict[str, int] = {}
    bad_format = present & ~matched
    bad_date = matched & ~real
    keep = real.copy()
    if birth:
        today = dt.date.today()
        stamp = year * 10000 + month * 100 + day
        today_stamp = today.year * 10000 + today.month * 100 + today.day
        out_of_range = real & ((stamp > today_stamp) | (year < 1880))
        keep &= ~out_of_range
        if out_of_range.any():
            invalid["date_out_of_range"] = int(out_of_range.sum())
    if bad_format.any():
        invalid["date_format"] = int(bad_format.sum())
    if bad_date.any():
        invalid["date_impossible"] = int(bad_date.sum())
    return Normalized(
        values=to_series(_iso(year, month, day, keep), values.index),
        missing=int((~present).sum()),
        invalid=invalid,
    )


def normalize_dates(values: pd.Series) -> Normalized:
    """Normalize dates in any accepted form to ISO ``YYYY-MM-DD``.

    Args:
        values: Date strings (or Arrow/pandas dates).

    Returns:
        ISO strings, null where blank or invalid, with counts.

    Example:
        >>> normalize_dates(pd.Series(["2024.3.5.", "20240229", "2023-02-29"])).values.tolist()
        ['2024-03-05', '2024-02-29', <NA>]
    """
    return _normalize(values, birth=False)


def normalize_birth_dates(values: pd.Series) -> Normalized:
    """Normalize birth dates; also refuses dates in the future or before 1880.

    Args:
        values: Birth-date strings.

    Returns:
        ISO strings, null where blank or invalid, with counts.
    """
    return _normalize(values, birth=True)
