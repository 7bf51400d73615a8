"""Typing of content columns, as declared in the identifier schema.

Content goes to the enclave as typed Arrow columns. Text is NFC-normalized;
integers may carry thousands separators and a trailing 원; booleans accept
true/false, y/n, 1/0, 예/아니오. A value that does not parse becomes null and is
counted per column — the count, never the value, reaches the report.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.normalize.dates import normalize_dates
from linkage.normalize.text import clean_text
from linkage.policy import ContentColumn

__all__ = ["ARROW_TYPES", "type_content_column"]

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "category": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}
_TRUE = ["true", "t", "y", "yes", "1", "예", "있음", "o"]
_FALSE = ["false", "f", "n", "no", "0", "아니오", "없음", "x"]


def type_content_column(values: pd.Series, column: ContentColumn) -> tuple[pa.Array, int]:
    """Convert a text column to its declared type.

    Args:
        values: The raw values.
        column: The column's declaration.

    Returns:
        The typed Arrow array and the number of values that did not parse.
    """
    arr = clean_text(values)
    present = pc.is_valid(arr)
    kind = column.type
    if kind in ("string", "category"):
        return arr, 0
    if kind == "date":
        iso = clean_text(normalize_dates(values).values)
        out = pc.cast(pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())
    elif kind == "boolean":
        low = pc.utf8_lower(arr)
        out = pc.if_else(
            pc.is_in(low, value_set=pa.array(_TRUE)),
            True,
            pc.if_else(pc.is_in(low, value_set=pa.array(_FALSE)), False, pa.scalar(None, pa.bool_())),
        )
    else:
        cleaned = pc.replace_substring_regex(arr, r"[,\s원₩]", "")
        pattern = r"^[+-]?\d{1,18}$" if kind == "integer" else r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
        ok = pc.fill_null(pc.match_substring_regex(cleaned, pattern), False)
        target = ARROW_TYPES[kind]
        out = pc.cast(pc.if_else(ok, cleaned, pa.scalar(None, pa.string())), target)
    bad = pc.sum(pc.and_(present, pc.invert(pc.is_valid(out)))).as_py() or 0
    return out, int(bad)
