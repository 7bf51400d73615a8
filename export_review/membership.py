"""Record-membership digests: which records stand behind a cell, without naming them.

The release ledger detects differencing by asking whether the records behind
one cell are a strict subset of the records behind another. Evidence therefore
keeps, per cell, a sorted array of 64-bit keyed digests of the record
identifiers. Digests never leave the enclave (they are evidence, not release
content) and are never printed; they cannot be turned back into pseudonyms
without the project's data, which the enclave already holds.
"""

from __future__ import annotations

import base64
import zlib

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "MemberArray",
    "decode_members",
    "digest_record_ids",
    "encode_members",
    "is_strict_subset",
]

MemberArray = npt.NDArray[np.uint64]

# pandas' SipHash key must be 16 characters; fixed so that digests made in two
# sessions of the same project compare equal.
_HASH_KEY = "export-review-v1"


def digest_record_ids(ids: pd.Series | pd.Index) -> MemberArray:
    """Digest record identifiers into unsigned 64-bit integers, one per record.

    Args:
        ids: the record identifiers (a pseudonym column or the frame's index).

    Returns:
        An array aligned with ``ids``.
    """
    series = ids.to_series(index=None) if isinstance(ids, pd.Index) else ids
    series = series.astype("string").reset_index(drop=True)
    hashed = pd.util.hash_pandas_object(series, index=False, hash_key=_HASH_KEY)
    return np.asarray(hashed.to_numpy(), dtype=np.uint64)


def encode_members(members: MemberArray) -> str:
    """Encode a member array as compressed, base64 text for JSON evidence.

    Args:
        members: digests of the records behind a cell.

    Returns:
        ASCII text; ``""`` for an empty cell.
    """
    if members.size == 0:
        return ""
    ordered = np.sort(members.astype(np.uint64))
    # Deltas of sorted digests compress a little better than raw digests.
    deltas = np.diff(ordered, prepend=np.uint64(0)).astype("<u8")
    return base64.b64encode(zlib.compress(deltas.tobytes(), 6)).decode("ascii")


def decode_members(text: str) -> MemberArray:
    """Decode text made by :func:`encode_members` back into a sorted array.

    Args:
        text: the encoded members.

    Returns:
        The sorted digests.

    Raises:
        ValueError: when the text is not valid encoded members.
    """
    if not text:
        return np.zeros(0, dtype=np.uint64)
    raw = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
    if len(raw) % 8:
        raise ValueError("member digests must be a multiple of 8 bytes")
    deltas = np.frombuffer(raw, dtype="<u8").astype(np.uint64)
    return np.cumsum(deltas, dtype=np.uint64)


def is_strict_subset(small: MemberArray, large: MemberArray) -> bool:
    """Tell whether every record of ``small`` is in ``large`` and ``large`` has more.

    Args:
        small: sorted digests of the candidate subset.
        large: sorted digests of the candidate superset.

    Returns:
        True for a strict subset.
    """
    if small.size >= large.size:
        return False
    if small.size == 0:
        return True
    return bool(np.isin(small, large, assume_unique=False).all())
