"""The probabilistic pass of the linkage unit: Fellegi–Sunter over keyed Bloom filters.

It runs after the exact passes, on the records they left open, for each pair
of agencies in turn:

1. **Candidates.** Records of the two agencies whose keyed blocking keys agree
   on any rule (``bk_<rule>``, first 64 bits) become candidate pairs; key values
   held by more than ``max_block`` records on one side are skipped. A pair
   whose clusters already hold a record of the same agency is dropped, so a
   person never gets two records of one agency.
2. **Comparison.** Per encoded field, the Dice coefficient of the two filters,
   ``2|A∧B| / (|A|+|B|)``, computed by popcount on packed 64-bit words, in
   chunks, with NumPy; missing on either side is "no evidence".
3. **Model.** Similarities become agreement levels; u is measured on random
   pairs (nearly all non-matches), m starts from the pairs the exact passes
   linked, and EM fits m and the share of matches among all pairs of open
   records (:mod:`linkage.fellegi_sunter`).
4. **Decision.** Pairs at or above the acceptance probability are linked one
   to one by a global assignment (:mod:`linkage.assignment`); unlinked pairs
   between the review and acceptance probabilities are counted for clerical
   review, as counts only.

The linkage unit holds no secret and no plaintext: it sees filters, blocking
keys and the figures it computes from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from linkage.assignment import assign_one_to_one
from linkage.fellegi_sunter import FellegiSunterModel, agreement_levels, estimate_model
from linkage.probabilistic_policy import ProbabilisticSpec

__all__ = [
    "AgencyPairOutcome",
    "EncodedRecords",
    "dice_similarity",
    "match_agency_pair",
    "popcount64",
]

_CHUNK_PAIRS = 1_000_000
_RANDOM_PAIRS = 200_000
# Exactly linked pairs whose agreement levels start m.
_LABELLED_RECORDS = 20_000
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


def popcount64(words: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """Return the set bits of each 64-bit word (SWAR; NumPy 1.26 has no bitwise_count)."""
    x = words - ((words >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return np.asarray((x * _H01) >> np.uint64(56), dtype=np.uint64)


def _filter_words(column: pa.ChunkedArray | pa.Array | None, n: int) -> tuple[NDArray[np.uint64], NDArray[np.bool_]]:
    """Return a fixed-size binary column as (n, words) uint64 and its valid mask."""
    if column is None:
        return np.zeros((n, 1), np.uint64), np.zeros(n, dtype=bool)
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    width = arr.type.byte_width
    valid = np.ones(n, bool) if arr.null_count == 0 else arr.is_valid().to_numpy(zero_copy_only=False)
    raw = np.frombuffer(arr.buffers()[1], dtype=np.uint8, count=(arr.offset + n) * width)[arr.offset * width :]
    words = raw.reshape(n, width).view(np.uint64).copy()
    words[~valid] = 0
    return words, valid


def _key_first_half(column: pa.ChunkedArray | pa.Array | None, n: int) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    if column is None:
        return np.zeros(n, np.int64), np.zeros(n, dtype=bool)
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    valid = np.ones(n, bool) if arr.null_count == 0 else arr.is_valid().to_numpy(zero_copy_only=False)
    words = np.frombuffer(arr.buffers()[1], dtype=np.int64, count=2 * (arr.offset + n))[2 * arr.offset :]
    return words.reshape(n, 2)[:, 0].copy(), valid


@dataclass(frozen=True)
class EncodedRecords:
    """One agency's filters and blocking keys as arrays, rows aligned with its match-key table.

    Attributes:
        filters: Per encoded field, ``(words, present)`` with words ``(n, bits/64)`` uint64.
        counts: Per encoded field, set bits per record.
        blocks: Per blocking rule, ``(first 64 key bits, present)``.
    """

    filters: dict[str, tuple[NDArray[np.uint64], NDArray[np.bool_]]] = field(repr=False)
    counts: dict[str, NDArray[np.uint64]] = field(repr=False)
    blocks: dict[str, tuple[NDArray[np.int64], NDArray[np.bool_]]] = field(repr=False)

    @classmethod
    def from_table(cls, table: pa.Table, spec: ProbabilisticSpec) -> EncodedRecords:
        """Read the ``bf_*`` and ``bk_*`` columns of a match-key table (absent ones count as missing)."""
        n = table.num_rows
        names = set(table.column_names)
        filters = {
            e.field: _filter_words(table.column(e.column) if e.column in names else None, n) for e in spec.encodings
        }
        counts = {f: popcount64(w).sum(axis=1) for f, (w, _) in filters.items()}
        blocks = {
            r.name: _key_first_half(table.column(r.column) if r.column in names else None, n)
            for r in spec.blocking
        }
        return cls(filters=filters, counts=counts, blocks=blocks)

    def has_field(self, name: str) -> bool:
        """Return whether any record has the field."""
        return bool(self.filters[name][1].any())


def dice_similarity(
    a: EncodedRecords, b: EncodedRecords, name: str, ia: NDArray[np.int64], ib: NDArray[np.int64]
) -> NDArray[np.float32]:
    """Return the Dice coefficient of field ``name`` for pairs ``(ia, ib)``; NaN where either is missing.

    Args:
        a: Left agency's records.
        b: Right agency's records.
        name: An encoded field.
        ia: Left row of each pair.
        ib: Right row of each pair.

    Returns:
        float32 similarities in [0, 1].
    """
    words_a, valid_a = a.filters[name]
    words_b, valid_b = b.filters[name]
    shared = popcount64(words_a[ia] & words_b[ib]).sum(axis=1)
    total = a.counts[name][ia] + b.counts[name][ib]
    with np.errstate(invalid="ignore", divide="ignore"):
        dice = (2.0 * shared / total).astype(np.float32)
    dice[~(valid_a[ia] & valid_b[ib]) | (total == 0)] = np.nan
    return np.asarray(dice, dtype=np.float32)


@dataclass(frozen=True)
class AgencyPairOutcome:
    """What the probabilistic pass decided for one pair of agencies.

    Attributes:
        left: Accepted pairs' left rows (in the left agency's table).
        right: Accepted pairs' right rows.
        candidates: Candidate pairs scored.
        review_pairs: Pairs in the review band whose records stayed unlinked.
        model: The fitted model (None when there were no candidates).
    """

    left: NDArray[np.int64] = field(repr=False)
    right: NDArray[np.int64] = field(repr=False)
    candidates: int
    review_pairs: int
    model: FellegiSunterModel | None = None

    def model_figures(self) -> dict[str, Any]:
        """Return the model's m, u and prior as JSON-able figures (empty without a model)."""
        return self.model.to_dict() if self.model is not None else {}


def _candidates(
    a: EncodedRecords,
    b: EncodedRecords,
    open_a: NDArray[np.bool_],
    open_b: NDArray[np.bool_],
    spec: ProbabilisticSpec,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return distinct (row a, row b) pairs agreeing on at least one blocking key."""
    con = duckdb.connect()
    codes = []
    n_b = len(open_b)
    for rule in spec.blocking:
        key_a, valid_a = a.blocks[rule.name]
        key_b, valid_b = b.blocks[rule.name]
        rows_a = np.flatnonzero(valid_a & open_a)
        rows_b = np.flatnonzero(valid_b & open_b)
        if not len(rows_a) or not len(rows_b):
            continue
        con.register("ka", pa.table({"k": key_a[rows_a], "r": rows_a}))
        con.register("kb", pa.table({"k": key_b[rows_b], "r": rows_b}))
        # Values shared by many records (a common name in one year, a default
        # date) carry little evidence and would multiply the pairs.
        pairs = con.sql(
            f"""
            WITH fa AS (SELECT k, r, count(*) OVER (PARTITION BY k) AS c FROM ka),
                 fb AS (SELECT k, r, count(*) OVER (PARTITION BY k) AS c FROM kb)
            SELECT fa.r * {n_b}::BIGINT + fb.r AS code
            FROM fa JOIN fb USING (k)
            WHERE fa.c <= {spec.max_block} AND fb.c <= {spec.max_block}
            """
        ).to_arrow_table()
        codes.append(pairs.column("code").to_numpy())
        con.unregister("ka")
        con.unregister("kb")
    con.close()
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    unique = np.unique(np.concatenate(codes))
    return unique // n_b, unique % n_b


def _levels(
    a: EncodedRecords,
    b: EncodedRecords,
    fields: Sequence[str],
    ia: NDArray[np.int64],
    ib: NDArray[np.int64],
    thresholds: tuple[float, ...],
) -> NDArray[np.int8]:
    levels = np.empty((len(ia), len(fields)), dtype=np.int8)
    for start in range(0, len(ia), _CHUNK_PAIRS):
        stop = start + _CHUNK_PAIRS
        for f, name in enumerate(fields):
            dice = dice_similarity(a, b, name, ia[start:stop], ib[start:stop])
            levels[start:stop, f] = agreement_levels(dice, thresholds)
    return levels


def _u_from_random_pairs(
    a: EncodedRecords,
    b: EncodedRecords,
    fields: Sequence[str],
    rows_a: NDArray[np.int64],
    rows_b: NDArray[np.int64],
    spec: ProbabilisticSpec,
    rng: np.random.Generator,
) -> NDArray[np.float64]:
    """Estimate u from random pairs: among them matches are a negligible share."""
    ia = rows_a[rng.integers(0, len(rows_a), _RANDOM_PAIRS)]
    ib = rows_b[rng.integers(0, len(rows_b), _RANDOM_PAIRS)]
    return _level_frequencies(_levels(a, b, fields, ia, ib, spec.levels), len(spec.levels) + 1)


def _level_frequencies(levels: NDArray[np.int8], n_levels: int) -> NDArray[np.float64]:
    """Return each field's level frequencies, with one pseudo-count per level."""
    table = np.ones((levels.shape[1], n_levels))
    for f in range(levels.shape[1]):
        known = levels[:, f] >= 0
        table[f] += np.bincount(levels[known, f], minlength=n_levels)
    return np.asarray(table / table.sum(axis=1, keepdims=True))


def _m_from_exact_links(
    a: EncodedRecords,
    b: EncodedRecords,
    fields: Sequence[str],
    partner_a: NDArray[np.int64],
    spec: ProbabilisticSpec,
    rng: np.random.Generator,
) -> NDArray[np.float64] | None:
    """Return m measured on pairs the exact passes linked: EM's starting point.

    These pairs lean towards agreement (their keys agreed exactly), so they
    start EM, which then fits m on the open candidates.

    Returns:
        m per field and level, or None when fewer than 100 pairs are linked.
    """
    linked = np.flatnonzero(partner_a >= 0)
    if len(linked) < 100:
        return None
    sample = rng.choice(linked, min(len(linked), _LABELLED_RECORDS), replace=False)
    levels = _levels(a, b, fields, sample, partner_a[sample], spec.levels)
    return _level_frequencies(levels, len(spec.levels) + 1)


def match_agency_pair(
    a: EncodedRecords,
    b: EncodedRecords,
    open_a: NDArray[np.bool_],
    open_b: NDArray[np.bool_],
    spec: ProbabilisticSpec,
    *,
    partner_a: NDArray[np.int64] | None = None,
    compatible: Any = None,
    seed: int = 0,
) -> AgencyPairOutcome:
    """Link the open records of two agencies probabilistically, one to one.

    Args:
        a: Left agency's encoded records.
        b: Right agency's encoded records.
        open_a: Left rows that may still take a record of the right agency.
        open_b: Right rows that may still take a record of the left agency.
        spec: The scheme's probabilistic section.
        partner_a: Per left row, the right row the exact passes linked it to
            (-1 for none); these pairs start m.
        compatible: Optional callable ``(rows_a, rows_b) -> mask`` dropping pairs
            whose clusters would hold two records of one agency.
        seed: Seed of the sampled pairs (the result is deterministic).

    Returns:
        The accepted pairs and counts.
    """
    empty = np.zeros(0, np.int64)
    fields = tuple(e.field for e in spec.encodings if a.has_field(e.field) and b.has_field(e.field))
    rows_a, rows_b = np.flatnonzero(open_a), np.flatnonzero(open_b)
    if not fields or not len(rows_a) or not len(rows_b):
        return AgencyPairOutcome(empty, empty, 0, 0)
    ia, ib = _candidates(a, b, open_a, open_b, spec)
    if compatible is not None and len(ia):
        keep = compatible(ia, ib)
        ia, ib = ia[keep], ib[keep]
    if not len(ia):
        return AgencyPairOutcome(empty, empty, 0, 0)
    rng = np.random.default_rng(seed)
    n_levels = len(spec.levels) + 1
    levels = _levels(a, b, fields, ia, ib, spec.levels)
    population = len(rows_a) * len(rows_b)
    u_start = _u_from_random_pairs(a, b, fields, rows_a, rows_b, spec, rng)
    m_start = _m_from_exact_links(a, b, fields, partner_a, spec, rng) if partner_a is not None else None
    # u stays as random pairs give it, and the prior is the share of matches
    # among all pairs of the open records (pairs blocking left out count as
    # non-matches): weights then mean what they mean for any pair, whichever
    # blocking rule brought it, and EM fits m alone. Fitting u or a prior on
    # the candidates instead lets the non-matches that blocking made look
    # alike pass for matches.
    model = estimate_model(
        levels,
        n_levels,
        fields,
        m_start=m_start,
        u_start=u_start,
        prior_start=min(len(rows_a), len(rows_b)) / population,
        fix_u=True,
        total_pairs=population,
    )
    probability = model.match_probability(levels)
    accept = probability >= spec.accept
    chosen = np.zeros(len(ia), dtype=bool)
    if accept.any():
        threshold = np.log2(spec.accept / (1 - spec.accept))
        weight = model.match_weight(levels[accept]) - threshold + 1.0
        chosen[np.flatnonzero(accept)] = assign_one_to_one(ia[accept], ib[accept], weight)
    linked_a = np.zeros(len(open_a), dtype=bool)
    linked_b = np.zeros(len(open_b), dtype=bool)
    linked_a[ia[chosen]] = True
    linked_b[ib[chosen]] = True
    band = (probability >= spec.review) & ~chosen & ~linked_a[ia] & ~linked_b[ib]
    return AgencyPairOutcome(
        left=ia[chosen], right=ib[chosen], candidates=int(len(ia)), review_pairs=int(band.sum()), model=model
    )
