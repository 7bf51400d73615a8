"""Keyed, hardened Bloom-filter encodings of match fields, and keyed blocking keys (at the agency).

Each field declared in a scheme's ``probabilistic.encodings`` is encoded per
record into a Bloom filter of its q-grams (Schnell, Bachteler and Reiher
2009), so that two spellings differing by a typo still share most of their
bits and the linkage unit can compare them by the Dice coefficient without
ever seeing the value. The construction resists the published attacks on such
filters (Christen, Ranbaduge, Vatsalan and Schnell 2017–2019; Kroll and
Steinmetzer 2015; Franke, Sehili, Rohde and Rahm 2021 on hardening):

* **Keyed random hashing.** A q-gram's positions are read from
  ``HMAC-SHA256(project_key, domain || q-gram)``: sixteen independent 16-bit
  words, not the double hashing ``h1 + i*h2`` whose regular patterns the
  pattern-mining attacks reconstruct q-grams from. Without the project secret
  nobody can compute which bits a q-gram sets, so a dictionary of q-grams
  cannot be encoded and matched.
* **Per-field salting.** The domain names the scheme, its version, the field
  and the key id, so the same q-gram sets unrelated bits in two fields, two
  schemes or two projects; frequencies cannot be pooled across fields.
* **Rule 90** (Schnell and Borgs 2018) replaces each bit by the XOR of its two
  neighbours, so a bit no longer belongs to one q-gram's position set: the
  frequent-bit-pattern and q-gram-to-bit alignment attacks lose their anchor.
* **XOR-folding** (optional; Schnell, Borgs and Encarnação 2016) XORs the two
  halves, halving the length: each stored bit mixes two positions.

Q-grams are taken over the value's NFD form, so a Hangul syllable counts as its
two or three jamo and one mistyped syllable changes a few q-grams rather than
all that touch it. Values are padded with a code point outside Unicode at both
ends. A q-gram is packed into one integer (21 bits per code point), the
distinct q-grams of a chunk are hashed once each through the linkage's one
HMAC implementation (:func:`linkage.match_keys.hmac_spans`), and the bits are
scattered with NumPy: no Python loop per record or per q-gram.

Blocking keys are exact keyed hashes over coarse fields, made by the same
:class:`~linkage.match_keys.MatchKeyer` as the match keys under their own
domain, so a blocking key never equals a match key.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from linkage.match_keys import MatchKeyer, encode_fields, hmac_spans
from linkage.policy import MatchKeyScheme, MatchPass
from linkage.probabilistic_policy import FieldEncoding, ProbabilisticSpec

__all__ = ["BloomEncoder", "encode_bloom_filters", "encode_qgram_filters", "harden_filters"]

# One past the largest code point: padding that no value can contain.
_PAD = 0x110000
_CODE_BITS = 21


def _codepoints(values: pd.Series) -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.bool_]]:
    """Return (code points n x width, lengths, present mask) of the values' NFD forms."""
    arr = pa.array(values, type=pa.string(), from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pc.all(pc.string_is_ascii(arr)).as_py():
        # Only non-ASCII text has anything to decompose (Hangul into jamo).
        arr = pc.utf8_normalize(arr, "NFD")
    present = pc.fill_null(pc.greater(pc.utf8_length(arr), 0), False).to_numpy(zero_copy_only=False)
    text = np.array(arr.fill_null("").to_numpy(zero_copy_only=False), dtype=str)
    if len(text) == 0:
        return np.zeros((0, 1), np.uint32), np.zeros(0, np.int64), present
    codes = text.view(np.uint32).reshape(len(text), -1)
    lengths = (codes != 0).sum(axis=1).astype(np.int64)
    return codes, lengths, present


def _qgram_codes(
    codes: NDArray[np.uint32], lengths: NDArray[np.int64], q: int
) -> tuple[NDArray[np.int64], NDArray[np.uint64]]:
    """Return (row, packed q-gram) for every q-gram of every row, the values padded at both ends."""
    n, width = codes.shape
    pad = q - 1
    padded = np.full((n, width + 2 * pad), _PAD, dtype=np.uint64)
    padded[:, pad : pad + width] = codes
    # Past a value's end its zeros become padding, so every row ends in q-1 pads.
    inside = np.arange(width)[None, :] < lengths[:, None]
    padded[:, pad : pad + width][~inside] = _PAD
    grams_per_row = width + pad
    packed = np.zeros((n, grams_per_row), dtype=np.uint64)
    for t in range(q):
        packed |= padded[:, t : t + grams_per_row] << np.uint64(_CODE_BITS * t)
    valid = np.arange(grams_per_row)[None, :] < (lengths + pad)[:, None]
    valid &= lengths[:, None] > 0
    rows = np.nonzero(valid)[0]
    return rows.astype(np.int64), packed[valid]


def encode_qgram_filters(
    values: pd.Series, encoding: FieldEncoding, key: bytes, domain: bytes
) -> tuple[NDArray[np.uint8], NDArray[np.bool_]]:
    """Encode values into unhardened Bloom filters of keyed q-grams.

    Args:
        values: Normalized field values (null or empty for missing).
        encoding: The field's q, length and number of positions.
        key: The HMAC key (the project key).
        domain: The field's domain-separation prefix.

    Returns:
        ``(n, bits)`` booleans as uint8 (one byte per bit), and the present mask.
    """
    codes, lengths, present = _codepoints(values)
    n = len(values)
    bits = np.zeros((n, encoding.bits), dtype=np.uint8)
    rows, grams = _qgram_codes(codes, lengths, encoding.q)
    if len(grams) == 0:
        return bits, present
    # A hash table (factorize) rather than a sort: the q-grams of a chunk are
    # millions, their distinct values a few thousand.
    inverse, unique = pd.factorize(grams)
    unique = np.asarray(unique, dtype=np.uint64)
    messages = unique.astype("<u8").view(np.uint8)
    starts = np.arange(len(unique) + 1, dtype=np.int64) * 8
    tags = hmac_spans(key, messages, starts, domain)
    # Sixteen 16-bit words per tag; reducing one modulo a filter of at most
    # 4,096 bits skews a position's odds by under 1/16.
    positions = tags.view("<u2")[:, : encoding.hashes].astype(np.int64) % encoding.bits
    flat = (rows * encoding.bits)[:, None] + positions[inverse]
    bits.reshape(-1)[flat.ravel()] = 1
    return bits, present


def harden_filters(bits: NDArray[np.uint8], steps: tuple[str, ...]) -> NDArray[np.uint8]:
    """Apply hardening steps in order to filters given one byte per bit.

    Args:
        bits: ``(n, length)`` of 0/1.
        steps: Names from :data:`~linkage.probabilistic_policy.HARDENINGS`.

    Returns:
        The hardened filters (a new array).
    """
    out = bits
    for step in steps:
        if step == "rule90":
            out = np.roll(out, 1, axis=1) ^ np.roll(out, -1, axis=1)
        elif step == "xor_fold":
            half = out.shape[1] // 2
            out = out[:, :half] ^ out[:, half:]
        else:
            raise ValueError(f"unknown hardening step {step!r}")
    return out


def _as_binary_column(bits: NDArray[np.uint8], present: NDArray[np.bool_]) -> pa.FixedSizeBinaryArray:
    packed = np.packbits(bits, axis=1, bitorder="little")
    width = packed.shape[1]
    packed[~present] = 0
    validity = None if present.all() else pa.array(present).buffers()[1]
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), len(bits), [validity, pa.py_buffer(np.ascontiguousarray(packed).tobytes())]
    )


@dataclass(frozen=True)
class BloomEncoder:
    """Encodes a scheme's probabilistic fields and blocking keys under one project key.

    Attributes:
        scheme: The match-key scheme (its ``probabilistic`` section is used).
        project_key: From :func:`~linkage.match_keys.derive_project_key`.
        key_id: The key id, part of every domain.
    """

    scheme: MatchKeyScheme
    project_key: bytes
    key_id: str

    def __repr__(self) -> str:
        return f"BloomEncoder(scheme={self.scheme.name!r} v{self.scheme.version}, key_id={self.key_id!r})"

    @property
    def spec(self) -> ProbabilisticSpec:
        """Return the scheme's probabilistic section."""
        if self.scheme.probabilistic is None:
            raise ValueError("the scheme declares no probabilistic section")
        return self.scheme.probabilistic

    def domain(self, encoding: FieldEncoding) -> bytes:
        """Return the domain-separation prefix of one field's q-grams."""
        return encode_fields(
            [
                "linkage-bloom-qgram/v1",
                self.scheme.name,
                str(self.scheme.version),
                encoding.field,
                str(encoding.q),
                str(encoding.bits),
                self.key_id,
            ]
        )

    def columns(self) -> list[pa.Field]:
        """Return the Arrow fields this encoder adds to a match-key table."""
        spec = self.spec
        return [pa.field(e.column, pa.binary(spec.stored_bits(e) // 8)) for e in spec.encodings] + [
            pa.field(r.column, pa.binary(16)) for r in spec.blocking
        ]

    def encode(self, fields: pd.DataFrame) -> pa.Table:
        """Return one ``bf_<field>`` column per encoding and one ``bk_<rule>`` per blocking rule.

        Args:
            fields: Match fields from :func:`~linkage.normalize.derive_match_fields`.

        Returns:
            An Arrow table aligned with ``fields``; null where the field (or a
            blocking rule's field) is missing.
        """
        spec = self.spec
        columns: dict[str, pa.Array] = {}
        for encoding in spec.encodings:
            bits, present = encode_qgram_filters(
                fields[encoding.field], encoding, self.project_key, self.domain(encoding)
            )
            columns[encoding.column] = _as_binary_column(harden_filters(bits, spec.hardening), present)
        # Blocking keys are match keys of pseudo-passes named "block:<rule>": the
        # name is in the HMAC domain, so no blocking key equals a match key.
        blocking = MatchKeyScheme(
            name=self.scheme.name,
            version=self.scheme.version,
            passes=tuple(MatchPass(name=f"block:{r.name}", fields=r.fields) for r in spec.blocking),
        )
        keys = MatchKeyer(blocking, self.project_key, self.key_id).derive(fields)
        for rule in spec.blocking:
            columns[rule.column] = keys.column(f"mk_block:{rule.name}").combine_chunks()
        return pa.table(columns)


def encode_bloom_filters(
    fields: pd.DataFrame, scheme: MatchKeyScheme, project_key: bytes, key_id: str
) -> pa.Table:
    """Encode a chunk's probabilistic fields and blocking keys.

    Args:
        fields: Normalized match fields.
        scheme: A scheme with a ``probabilistic`` section.
        project_key: From :func:`~linkage.match_keys.derive_project_key`.
        key_id: The key id.

    Returns:
        The ``bf_*`` and ``bk_*`` columns.
    """
    return BloomEncoder(scheme, project_key, key_id).encode(fields)
