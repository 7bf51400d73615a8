"""Keyed-hash match keys: one HMAC-SHA256 per record and per pass of a scheme.

A match key is ``HMAC-SHA256(project_key, domain || fields)`` truncated to 128
bits, where

* ``project_key = HKDF-SHA256(linkage_secret, salt="linkage/project-key/v1",
  info=enc(project_id, key_id))`` — so keys of two projects never meet, and a
  key id rotation gives unrelated keys;
* ``domain = enc("linkage-match-key/v1", scheme name, scheme version, pass name,
  key id)`` — so the same fields hashed for two passes, two scheme versions or
  two key ids give unrelated keys;
* ``enc`` is length-prefixed (4-byte big-endian length, then UTF-8), so no
  choice of field values can make two different field lists encode alike
  (``("ab","c")`` vs ``("a","bc")``).

128 bits keep a collision between distinct people out of reach (birthday bound
~2^64 records) while halving the linkage unit's memory. A record missing any
field of a pass simply has no key (null) for that pass.

HMAC is computed as its two SHA-256 passes over precomputed inner and outer
pad states (RFC 2104), with the domain already absorbed into the inner state:
per record that is two state copies and two short hashes. All messages of a
pass lie in one buffer with an offsets array, and the C extension
``linkage._hmac`` (OpenSSL's SHA-256, built by ``pip install`` when a compiler
and the OpenSSL headers are present) hashes them in one call without the GIL,
split over threads on several cores. Without the extension the same states are
copied in a Python loop: identical keys, several times slower.
:data:`HMAC_BACKEND` says which one runs.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import struct
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from numpy.typing import NDArray

from linkage.policy import MatchKeyScheme, MatchPass

__all__ = [
    "HMAC_BACKEND",
    "KEY_BYTES",
    "HmacBackend",
    "MatchKeyer",
    "derive_match_keys",
    "derive_project_key",
    "encode_fields",
    "hmac_digests",
    "hmac_messages",
    "hmac_spans",
]

KEY_BYTES = 16
_BLOCK = 64
_TAG = 32
_PACK = struct.Struct(">I").pack
# Starting and joining a hashing thread costs about 0.15 ms, the time the C
# backend takes for ~8,000 short messages; below that a thread only slows the
# batch down (measured on the project's 2-core machine: 2 threads break even at
# 8,000 messages and are 1.3x faster at 16,000, 1.7x at 32,000).
_MIN_MESSAGES_PER_THREAD = 8_192
_MAX_THREADS = 4

HmacBackend = Literal["openssl-c", "python"]
_Buffer: TypeAlias = bytes | bytearray | memoryview | NDArray[np.uint8]
# (key, prefix, data, starts, first, last, out): the signature of linkage._hmac.hmac_sha256_spans.
_Spans: TypeAlias = Callable[[bytes, bytes, _Buffer, NDArray[np.int64], int, int, memoryview], None]


def encode_fields(values: Sequence[str]) -> bytes:
    """Encode strings unambiguously: each as 4-byte big-endian length then UTF-8.

    Args:
        values: The field values, in order.

    Returns:
        The canonical encoding.

    Example:
        >>> encode_fields(["ab", "c"]) != encode_fields(["a", "bc"])
        True
    """
    parts = []
    for value in values:
        raw = value.encode("utf-8")
        parts.append(_PACK(len(raw)) + raw)
    return b"".join(parts)


def derive_project_key(linkage_secret: bytes, project_id: str, key_id: str) -> bytes:
    """Derive the 32-byte match-key key of one project and key id.

    Args:
        linkage_secret: The secret shared by the project's agencies (32 bytes or more).
        project_id: The project's id.
        key_id: The key id (rotate it to get unrelated keys).

    Returns:
        32 bytes for HMAC.

    Raises:
        ValueError: If the secret is shorter than 32 bytes.
    """
    if len(linkage_secret) < 32:
        raise ValueError("the linkage secret must be at least 32 bytes")
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"linkage/project-key/v1",
        info=encode_fields([project_id, key_id]),
    )
    return hkdf.derive(linkage_secret)


def _pad_states(key: bytes, prefix: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner.update(prefix)
    return inner, outer


def _python_spans(
    key: bytes, prefix: bytes, data: _Buffer, starts: NDArray[np.int64], first: int, last: int, out: memoryview
) -> None:
    """Hash spans ``first..last`` into ``out`` in Python: the fallback of ``linkage._hmac``.

    Takes the C function's arguments and checks them the same way, so the two
    backends are interchangeable and give the same errors.
    """
    if not isinstance(starts, np.ndarray) or starts.dtype != np.int64 or starts.ndim != 1:
        raise ValueError("starts must be a one-dimensional array of int64 offsets (numpy dtype int64)")
    if not 0 <= first <= last < len(starts):
        raise ValueError(
            "first and last must satisfy 0 <= first <= last < len(starts); "
            "starts holds one more offset than there are messages"
        )
    view = data.data if isinstance(data, np.ndarray) else memoryview(data)
    if not view.c_contiguous:
        raise ValueError(
            "data must be one C-contiguous buffer; pass a copy (bytes(...) or numpy.ascontiguousarray)"
        )
    view = view.cast("B")
    if out.nbytes != (last - first) * _TAG:
        raise ValueError("out must hold exactly 32 bytes per message: (last - first) * 32 bytes")
    bounds = starts[first : last + 1]
    if bounds[0] < 0 or bounds[-1] > view.nbytes:
        raise ValueError(
            "starts must lie within the data buffer: the first offset at least 0 and the last at most len(data)"
        )
    if (np.diff(bounds) < 0).any():
        raise ValueError("starts must be non-decreasing: each message ends where the next begins")
    inner, outer = _pad_states(key, prefix)
    icopy, ocopy = inner.copy, outer.copy
    tags: list[bytes] = []
    append = tags.append
    edges = bounds.tolist()
    for a_end, b_end in zip(edges[:-1], edges[1:], strict=False):
        a = icopy()
        a.update(view[a_end:b_end])
        b = ocopy()
        b.update(a.digest())
        append(b.digest())
    out[:] = b"".join(tags)


def _load_c_spans() -> _Spans | None:
    try:
        from linkage._hmac import hmac_sha256_spans
    except ImportError:
        # Installed where no C compiler or OpenSSL headers were found: the
        # Python loop gives the same keys, only slower.
        return None
    spans: _Spans = hmac_sha256_spans
    return spans


_C_SPANS = _load_c_spans()
HMAC_BACKEND: HmacBackend = "openssl-c" if _C_SPANS is not None else "python"
"""Which implementation hashes match keys: ``"openssl-c"`` (the ``linkage._hmac``
extension over OpenSSL) or ``"python"`` (hashlib in a loop, when the extension
was not built)."""


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _default_threads(messages: int) -> int:
    if multiprocessing.parent_process() is not None:
        # A worker of a process pool (``linkage prepare --workers``): the pool
        # already spreads the work over the cores, so more threads only contend.
        return 1
    return max(1, min(_usable_cores(), _MAX_THREADS, messages // _MIN_MESSAGES_PER_THREAD))


def hmac_spans(
    key: bytes,
    data: _Buffer,
    starts: NDArray[np.int64],
    prefix: bytes = b"",
    *,
    threads: int | None = None,
    backend: HmacBackend | None = None,
) -> NDArray[np.uint8]:
    """Return ``HMAC-SHA256(key, prefix || data[starts[i]:starts[i + 1]])`` for every message.

    This is the hashing stage of the partner tool: all messages of a pass lie
    end to end in one buffer, and one call hashes them. Its rate is what
    ``benchmarks/tokenize.py`` compares with ``openssl speed``.

    Args:
        key: The HMAC key (keys longer than 64 bytes are hashed first, as RFC 2104 says).
        data: The messages end to end, as one contiguous buffer.
        starts: ``n + 1`` int64 offsets into ``data``, non-decreasing: message ``i``
            is ``data[starts[i]:starts[i + 1]]``.
        prefix: Bytes absorbed once before every message (the domain).
        threads: Threads to split the messages over (the C backend hashes
            without the GIL, so each thread runs on a core of its own). None
            picks one per usable core, at most 4, and only one for batches
            too small to gain or inside a worker process of a pool.
        backend: Force ``"openssl-c"`` or ``"python"``; None uses :data:`HMAC_BACKEND`.

    Returns:
        An ``(n, 32)`` uint8 array: row ``i`` is the tag of message ``i``.

    Raises:
        ValueError: If ``starts`` is not int64, not one-dimensional, decreasing or
            outside ``data``, if ``threads`` is below 1, or if ``backend`` is
            ``"openssl-c"`` and the extension is not built.
    """
    spans = _python_spans if backend == "python" or (backend is None and _C_SPANS is None) else _C_SPANS
    if spans is None:
        raise ValueError("the openssl-c HMAC backend is not built here; reinstall with a C compiler and libssl-dev")
    if threads is not None and threads < 1:
        raise ValueError("threads must be at least 1")
    if not isinstance(starts, np.ndarray) or starts.ndim != 1 or len(starts) == 0:
        raise ValueError("starts must be a one-dimensional array of int64 offsets (numpy dtype int64)")
    n = len(starts) - 1
    tags = np.empty((n, _TAG), dtype=np.uint8)
    # An empty array's buffer cannot be cast; an empty bytearray stands in, so
    # the offsets are still checked.
    out = tags.data.cast("B") if n else memoryview(bytearray())
    parts = (threads or _default_threads(n)) if spans is not _python_spans else 1
    parts = max(1, min(parts, n))
    if parts == 1:
        spans(key, prefix, data, starts, 0, n, out)
        return tags
    edges = [n * i // parts for i in range(parts + 1)]
    with ThreadPoolExecutor(max_workers=parts - 1, thread_name_prefix="hmac") as pool:
        futures = [
            pool.submit(spans, key, prefix, data, starts, a, b, out[a * _TAG : b * _TAG])
            for a, b in zip(edges[1:-1], edges[2:], strict=True)
        ]
        # The calling thread hashes the first part itself rather than waiting idle.
        spans(key, prefix, data, starts, edges[0], edges[1], out[: edges[1] * _TAG])
        for future in futures:
            future.result()
    return tags


def _pack_messages(messages: Sequence[bytes]) -> tuple[bytes, NDArray[np.int64]]:
    starts = np.zeros(len(messages) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, messages), dtype=np.int64, count=len(messages)), out=starts[1:])
    return b"".join(messages), starts


def hmac_digests(
    key: bytes, messages: Sequence[bytes], prefix: bytes = b"", *, threads: int | None = None
) -> list[bytes]:
    """Return the full 32-byte ``HMAC-SHA256(key, prefix || m)`` of every message.

    The messages are packed into one buffer and hashed by :func:`hmac_spans`;
    callers that already hold such a buffer should call that directly.

    Args:
        key: The HMAC key.
        messages: The messages (bytes, no None).
        prefix: Bytes absorbed once before every message (the domain).
        threads: As for :func:`hmac_spans`.

    Returns:
        One 32-byte tag per message.
    """
    data, starts = _pack_messages(messages)
    tags = hmac_spans(key, data, starts, prefix, threads=threads).tobytes()
    return [tags[i : i + _TAG] for i in range(0, len(tags), _TAG)]


def hmac_messages(
    key: bytes, messages: Iterable[bytes | None], prefix: bytes = b"", length: int = KEY_BYTES
) -> list[bytes | None]:
    """Return ``HMAC-SHA256(key, prefix || m)[:length]`` for every message (None stays None).

    Args:
        key: The HMAC key.
        messages: Messages; None marks a record without a key.
        prefix: Bytes absorbed once before every message (the domain).
        length: Bytes of each tag to keep (32 for the full tag).

    Returns:
        One tag (or None) per message.
    """
    items = list(messages)
    present = [m for m in items if m is not None]
    data, starts = _pack_messages(present)
    kept = np.ascontiguousarray(hmac_spans(key, data, starts, prefix)[:, :length])
    size, blob = kept.shape[1], kept.tobytes()
    tags = iter([blob[i * size : (i + 1) * size] for i in range(len(present))])
    return [None if m is None else next(tags) for m in items]


@dataclass(frozen=True)
class MatchKeyer:
    """Derives the match keys of a scheme under one project key.

    Attributes:
        scheme: The match-key scheme.
        project_key: From :func:`derive_project_key`.
        key_id: The key id, part of every key's domain.
        threads: Threads hashing each pass, as for :func:`hmac_spans` (None: chosen
            from the batch size and the usable cores).
    """

    scheme: MatchKeyScheme
    project_key: bytes
    key_id: str
    threads: int | None = None

    def __repr__(self) -> str:
        return f"MatchKeyer(scheme={self.scheme.name!r} v{self.scheme.version}, key_id={self.key_id!r})"

    def domain(self, match_pass: MatchPass) -> bytes:
        """Return the domain-separation prefix of ``match_pass``."""
        return encode_fields(
            [
                "linkage-match-key/v1",
                self.scheme.name,
                str(self.scheme.version),
                match_pass.name,
                self.key_id,
            ]
        )

    def derive(self, fields: pd.DataFrame) -> pa.Table:
        """Return one ``mk_<pass>`` column (128-bit binary, null when a field is missing) per pass.

        Args:
            fields: Match fields from :func:`~linkage.normalize.derive_match_fields`.

        Returns:
            An Arrow table with one column per pass, rows aligned with ``fields``.
        """
        needed = {f for p in self.scheme.passes for f in p.fields}
        arrays = {name: _utf8_parts(fields[name]) for name in needed}
        n = len(fields)
        columns = {}
        for match_pass in self.scheme.passes:
            rows, buffer, starts = _encode_rows([arrays[f] for f in match_pass.fields], n)
            columns[match_pass.column] = _tags_for_rows(
                self.project_key, buffer, starts, rows, n, self.domain(match_pass), self.threads
            )
        return pa.table(columns)


_Utf8Parts = tuple["NDArray[np.int64]", "NDArray[np.uint8]", "NDArray[np.bool_]"]


def _utf8_parts(values: pd.Series) -> _Utf8Parts:
    """Return (offsets, UTF-8 bytes, valid mask) of a string column, without copying text."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    n = len(arr)
    buffers = arr.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int32, count=arr.offset + n + 1)[arr.offset :]
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.empty(0, dtype=np.uint8)
    )
    valid = (
        np.ones(n, dtype=bool)
        if arr.null_count == 0
        else arr.is_valid().to_numpy(zero_copy_only=False)
    )
    return offsets.astype(np.int64), data, valid


def _encode_rows(
    parts: list[_Utf8Parts], n: int
) -> tuple[NDArray[np.int64], NDArray[np.uint8], NDArray[np.int64]]:
    """Encode each row having every field as :func:`encode_fields` would, vectorized.

    Returns:
        The indices of the encoded rows, and their messages end to end in one
        buffer with ``len(rows) + 1`` offsets, as :func:`hmac_spans` takes them.
    """
    valid = np.ones(n, dtype=bool)
    for _, _, field_valid in parts:
        valid &= field_valid
    rows = np.flatnonzero(valid)
    lengths = [offsets[rows + 1] - offsets[rows] for offsets, _, _ in parts]
    sizes = sum((4 + length for length in lengths), np.zeros(len(rows), dtype=np.int64))
    starts = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(sizes, out=starts[1:])
    buffer = np.empty(int(starts[-1]), dtype=np.uint8)
    cursor = starts[:-1].copy()
    four = np.arange(4)
    for (offsets, data, _), length in zip(parts, lengths, strict=True):
        buffer[cursor[:, None] + four] = length.astype(">u4").view(np.uint8).reshape(-1, 4)
        cursor += 4
        total = int(length.sum())
        if total:
            within = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
            buffer[np.repeat(cursor, length) + within] = data[np.repeat(offsets[rows], length) + within]
        cursor += length
    return rows, buffer, starts


def _tags_for_rows(
    project_key: bytes,
    buffer: NDArray[np.uint8],
    starts: NDArray[np.int64],
    rows: NDArray[np.int64],
    n: int,
    domain: bytes,
    threads: int | None,
) -> pa.FixedSizeBinaryArray:
    """Hash the encoded rows and lay the truncated tags out as one Arrow column."""
    tags = np.zeros((n, KEY_BYTES), dtype=np.uint8)
    if len(rows):
        tags[rows] = hmac_spans(project_key, buffer, starts, domain, threads=threads)[:, :KEY_BYTES]
    present = np.zeros(n, dtype=bool)
    present[rows] = True
    validity = None if present.all() else pa.array(present).buffers()[1]
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(KEY_BYTES), n, [validity, pa.py_buffer(tags.tobytes())]
    )


def derive_match_keys(
    fields: pd.DataFrame, scheme: MatchKeyScheme, project_key: bytes, key_id: str
) -> pa.Table:
    """Derive every pass's match key for each record.

    Args:
        fields: Normalized match fields.
        scheme: The match-key scheme.
        project_key: From :func:`derive_project_key`.
        key_id: The key id.

    Returns:
        An Arrow table with one ``mk_<pass>`` column per pass.
    """
    return MatchKeyer(scheme, project_key, key_id).derive(fields)
