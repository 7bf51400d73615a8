"""Shared first step of every identifier normalizer: text in, clean Arrow strings out.

Values arrive as pandas Series of any dtype (CSV strings, Parquet ints or
dates). They become an Arrow string array in Unicode NFC — decomposed Hangul
(NFD, common in files from macOS) would otherwise never equal its composed
form — with surrounding whitespace removed and blanks turned into nulls.
Arrow compute (RE2 regular expressions) keeps every step vectorized.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Normalized", "clean_text", "to_series", "unicode_normalize"]


@dataclass(frozen=True)
class Normalized:
    """The result of normalizing one identifier column.

    Attributes:
        values: Normalized strings; null where the input was missing or invalid.
        missing: How many inputs were blank or null.
        invalid: How many non-blank inputs were rejected, by reason.
    """

    values: pd.Series = field(repr=False)
    missing: int
    invalid: dict[str, int] = field(default_factory=dict)

    @property
    def invalid_total(self) -> int:
        """Return the number of rejected non-blank inputs."""
        return sum(self.invalid.values())


def clean_text(values: pd.Series | pa.Array | list[object]) -> pa.StringArray:
    """Return ``values`` as NFC Arrow strings, trimmed, with blanks as nulls.

    Args:
        values: Any column; non-strings are converted with ``str``.

    Returns:
        An Arrow string array of the same length.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
        try:
            arr = pa.array(series, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = pa.array(
                [None if v is None or (isinstance(v, float) and v != v) else str(v) for v in series],
                type=pa.string(),
            )
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        if pa.types.is_date(arr.type) or pa.types.is_timestamp(arr.type):
            arr = pc.strftime(arr, format="%Y-%m-%d")
        else:
            arr = pc.cast(arr, pa.string())
    if pa.types.is_large_string(arr.type):
        arr = pc.cast(arr, pa.string())
    arr = unicode_normalize(arr, "NFC")
    arr = pc.utf8_trim_whitespace(arr)
    empty = pc.equal(pc.utf8_length(arr), 0)
    return pc.if_else(empty, pa.scalar(None, pa.string()), arr)


# Characters that can make a string change under NFC/NFD/NFKD: combining marks,
# conjoining Hangul jamo, and the canonical singletons (Ohm, Kelvin, Angstrom
# signs, CJK compatibility ideographs, a few Greek and punctuation points).
_MAY_CHANGE = (
    r"[\p{M}\x{1100}-\x{11FF}\x{3131}-\x{318E}\x{0374}\x{037E}\x{0387}\x{1F71}-\x{1FFD}"
    r"\x{2000}\x{2001}\x{2126}\x{212A}\x{212B}\x{2329}\x{232A}\x{F900}-\x{FAFF}"
    r"\x{2F800}-\x{2FA1F}\x{00A0}-\x{00FF}\x{0100}-\x{024F}\x{1E00}-\x{1EFF}\x{FF00}-\x{FFEF}"
    r"\x{2460}-\x{24FF}\x{3200}-\x{33FF}]"
)


def unicode_normalize(arr: pa.Array, form: str) -> pa.Array:
    """Return ``arr`` in Unicode normal form ``form`` (``NFC``, ``NFKD``, ...).

    Arrow's own ``utf8_normalize`` (pyarrow 21) leaves Hangul decomposed even
    when asked for NFC, so this goes through :mod:`unicodedata` — but only for
    the rows that hold a character a normal form can change (found with one
    vectorized regular expression); composed Hangul and ASCII pass untouched.

    Args:
        arr: Arrow strings.
        form: A form accepted by :func:`unicodedata.normalize`.

    Returns:
        The normalized strings.
    """
    mask = pc.fill_null(pc.match_substring_regex(arr, _MAY_CHANGE), False)
    if not pc.any(mask).as_py():
        return arr
    norm = unicodedata.normalize
    picked = pc.filter(arr, mask).to_pylist()
    replaced = pa.array([norm(form, v) for v in picked], pa.string())  # type: ignore[arg-type]
    return pc.replace_with_mask(arr, mask, replaced)


def to_series(arr: pa.Array, index: pd.Index | None = None) -> pd.Series:
    """Return an Arrow string array as a pandas Series with Arrow-backed strings.

    Args:
        arr: The array.
        index: Index to give the Series (the input's, so rows line up).

    Returns:
        A ``string[pyarrow]`` Series.
    """
    return pd.Series(
        pd.arrays.ArrowStringArray(pc.cast(arr, pa.string())),
        index=index,
        dtype="string[pyarrow]",
    )
