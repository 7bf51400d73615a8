"""Normalization of Korean telephone numbers to bare domestic digits.

Any common writing is accepted: ``010-1234-5678``, ``01012345678``,
``010 1234 5678``, ``(02) 123-4567``, ``+82 10-1234-5678``, ``+82-(0)2-123-4567``,
``82-10-1234-5678``. The country code +82 becomes the trunk prefix 0. The result
is all digits (``01012345678``) and must be a mobile number (010/011/016/017/
018/019), a Seoul number (02), a regional number (031-033, 041-044, 051-055,
061-064) or an internet phone (070); anything else is invalid and counted.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.text import Normalized, clean_text, to_series

__all__ = ["PHONE_PATTERN", "normalize_phones"]

PHONE_PATTERN = (
    r"^(?:01[016789]\d{7,8}|02\d{7,8}|0(?:3[1-3]|4[1-4]|5[1-5]|6[1-4])\d{7,8}|070\d{8})$"
)


def normalize_phones(values: pd.Series) -> Normalized:
    """Normalize Korean phone numbers to digits, e.g. ``01012345678``.

    Args:
        values: Phone numbers in any common writing.

    Returns:
        Digits-only numbers, null where blank or invalid, with counts.

    Example:
        >>> normalize_phones(pd.Series(["+82 10-1234-5678", "02-123-4567"])).values.tolist()
        ['01012345678', '021234567']
    """
    arr = clean_text(values)
    present = arr.is_valid().to_numpy(zero_copy_only=False)
    compact = pc.replace_substring_regex(arr, r"[^\d+]", "")
    # +82 / 82 country code (optionally followed by the domestic trunk 0) -> 0.
    compact = pc.replace_substring_regex(compact, r"^\+?820?", "0")
    ok = pc.fill_null(pc.match_substring_regex(compact, PHONE_PATTERN), False)
    ok_np = ok.to_numpy(zero_copy_only=False)
    bad = present & ~ok_np
    return Normalized(
        values=to_series(pc.if_else(ok, compact, pa.scalar(None, pa.string())), values.index),
        missing=int((~present).sum()),
        invalid={"phone_format": int(bad.sum())} if bad.any() else {},
    )
