"""Validation of resident registration numbers (주민등록번호) and what they tell.

An RRN is ``YYMMDD-GNNNNNC``: birth date, a gender/century digit ``G``, and
(for numbers issued before October 2020) a check digit ``C``.

* ``G`` is 9/0 for people born in the 1800s, 1/2 in the 1900s, 3/4 in the
  2000s; 5/6 and 7/8 are foreign residents of the 1900s and 2000s. Odd is
  male, even female.
* The check digit is ``(11 - Σ wᵢ·dᵢ mod 11) mod 10`` with weights
  2,3,4,5,6,7,8,9,2,3,4,5. Since October 2020 the last six digits are random
  and carry no check digit. A number cannot tell when it was issued, so we
  **enforce the check digit only for birth dates before 2020-10-01** (such
  numbers were all issued under the old rule, except the rare re-issued
  ones, which are then counted invalid and simply get no key in the RRN pass:
  they still link through the name passes). Later births are accepted on
  format, date and ``G`` alone.

Hyphens and spaces are ignored. Invalid numbers are counted by reason
(format, date, check digit) and never shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.dates import days_in_month
from linkage.normalize.text import clean_text, to_series

__all__ = ["RrnResult", "normalize_rrn", "rrn_check_digit"]

_WEIGHTS = np.array([2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5], dtype=np.int64)
# Century by gender digit G = 0..9.
_CENTURY = np.array([1800, 1900, 1900, 2000, 2000, 1900, 1900, 2000, 2000, 1800], dtype=np.int64)
_CHECK_DIGIT_UNTIL = 20201001


@dataclass(frozen=True)
class RrnResult:
    """Normalized RRNs with the birth date and sex they encode.

    Attributes:
        rrn: 13 digits without hyphen; null where blank or invalid.
        birth_date: ISO birth date from the number; null where invalid.
        sex: ``M`` or ``F`` from the gender digit; null where invalid.
        missing: Blank inputs.
        invalid: Rejected inputs by reason (``rrn_format``, ``rrn_date``, ``rrn_check_digit``).
    """

    rrn: pd.Series = field(repr=False)
    birth_date: pd.Series = field(repr=False)
    sex: pd.Series = field(repr=False)
    missing: int
    invalid: dict[str, int] = field(default_factory=dict)


def rrn_check_digit(first_twelve: str) -> int:
    """Return the check digit for the first 12 digits of an RRN.

    Args:
        first_twelve: Twelve ASCII digits.

    Returns:
        The 13th digit a pre-2020 RRN must have.

    Example:
        >>> rrn_check_digit("900101123456")
        8
    """
    digits = np.frombuffer(first_twelve.encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    return int((11 - int((digits * _WEIGHTS).sum()) % 11) % 10)


def normalize_rrn(values: pd.Series) -> RrnResult:
    """Validate RRNs and derive birth date and sex, vectorized.

    Args:
        values: RRNs with or without hyphen.

    Returns:
        The normalized numbers, derived birth dates and sexes, and counts.

    Example:
        >>> r = normalize_rrn(pd.Series(["900101-1234568"]))
        >>> (r.rrn.iloc[0], r.birth_date.iloc[0], r.sex.iloc[0])
        ('9001011234568', '1990-01-01', 'M')
    """
    index = values.index
    arr = clean_text(values)
    n = len(arr)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    compact = pc.replace_substring_regex(arr, r"[\s\-‐–—]", "")
    fmt = pc.fill_null(pc.match_substring_regex(compact, r"^\d{13}$"), False).to_numpy(
        zero_copy_only=False
    )
    filled = pc.if_else(pa.array(fmt), compact, pa.scalar("0000000000000"))
    blob = "".join(filled.to_pylist()).encode("ascii") if n else b""
    digits = np.frombuffer(blob, dtype=np.uint8).astype(np.int64).reshape(n, 13) - 48
    yy = digits[:, 0] * 10 + digits[:, 1]
    month = digits[:, 2] * 10 + digits[:, 3]
    day = digits[:, 4] * 10 + digits[:, 5]
    gender = digits[:, 6]
    year = _CENTURY[gender] + yy
    stamp = year * 10000 + month * 100 + day
    today = dt.date.today()
    today_stamp = today.year * 10000 + today.month * 100 + today.day
    date_ok = (day >= 1) & (day <= days_in_month(year, month)) & (stamp <= today_stamp)
    check = (11 - (digits[:, :12] * _WEIGHTS).sum(axis=1) % 11) % 10
    check_ok = (check == digits[:, 12]) | (stamp >= _CHECK_DIGIT_UNTIL)
    bad_format = present & ~fmt
    bad_date = fmt & ~date_ok
    bad_check = fmt & date_ok & ~check_ok
    keep = fmt & date_ok & check_ok
    invalid = {
        k: int(v.sum())
        for k, v in (
            ("rrn_format", bad_format),
            ("rrn_date", bad_date),
            ("rrn_check_digit", bad_check),
        )
        if v.any()
    }
    keep_arr = pa.array(keep)
    none = pa.scalar(None, pa.string())
    number = pa.array(stamp, pa.int64())
    iso_digits = pc.utf8_lpad(pc.cast(number, pa.string()), 8, "0")
    iso = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(iso_digits, 0, 4),
        pc.utf8_slice_codeunits(iso_digits, 4, 6),
        pc.utf8_slice_codeunits(iso_digits, 6, 8),
        "-",
    )
    sex = pa.array(np.where(gender % 2 == 1, "M", "F"), pa.string())
    return RrnResult(
        rrn=to_series(pc.if_else(keep_arr, filled, none), index),
        birth_date=to_series(pc.if_else(keep_arr, iso, none), index),
        sex=to_series(pc.if_else(keep_arr, sex, none), index),
        missing=int((~present).sum()),
        invalid=invalid,
    )
