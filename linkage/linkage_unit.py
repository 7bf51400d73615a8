"""The linkage unit: one-to-one, multi-pass linking of match keys from several agencies.

Records are grouped into *clusters* (one per person, at most one record per
agency). Passes run from the strictest key to the loosest. In each pass the
records are grouped by key value, and a group links its clusters only when

1. no agency has two records with that key value — counting records linked in
   earlier passes too, because a key shared with an already-linked record is
   not evidence of identity (``ambiguous_duplicate``);
2. the clusters' agencies do not overlap: merging must keep one record per
   agency, so a record never joins a person who already has a record of its
   agency (``ambiguous_conflict``) — in particular a complete cluster (all
   agencies) takes no more links, which is how linked records leave later passes;
3. no cluster takes part in two linking groups of the same pass (possible only
   from three agencies on, when two members of a cluster carry different keys;
   ``ambiguous_multiple``).

Three or more agencies give **transitive clusters**: a person linked A-B in the
RRN pass can be joined by C's record in a later pass through A's *or* B's key,
as long as the rules above hold; the result is one link id for A, B and C.
A group never merges more than one record per agency, so a chain A1-B1-A2
cannot form.

The grouping runs in DuckDB over Arrow: records are grouped on the first 64
bits of their 128-bit key, and a link proposed between two single records is
checked on the other 64 (a 64-bit collision between two key values, odds about
1e-5 per pass at 20 million keys, is left unlinked; for clusters spanning
three or more agencies the check is on 64 bits only). Big passes are split
into partitions by key bits, each aggregated on its own, which bounds memory
and is the shape a distributed engine would shuffle by. Cluster state lives in
NumPy arrays indexed by record, so each pass is hash aggregations plus linear
array updates.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from numpy.typing import NDArray
from tqdm import tqdm

from linkage.errors import LinkingError
from linkage.linkage_map import LINKAGE_MAP_SCHEMA, LinkageMap
from linkage.match_keys import KEY_BYTES
from linkage.messages import text
from linkage.partner import SerialAllocator
from linkage.policy import MATCH_FIELDS, MatchKeyScheme
from linkage.probabilistic_pass import EncodedRecords, match_agency_pair
from linkage.probabilistic_policy import ProbabilisticSpec, parse_probabilistic_spec
from linkage.quality import PairRate, PassResult, QualityReport
from linkage.sealing import OpenedPackage, PackageManifest, open_package

__all__ = ["MAX_AGENCIES", "PROBABILISTIC_PASS", "MatchKeySubmission", "link_match_keys", "link_submissions"]

MAX_AGENCIES = 62
# Records per DuckDB aggregation; larger passes are split by key bits.
PARTITION_ROWS = 4_000_000
#: The ``link_pass`` of records linked by the probabilistic pass.
PROBABILISTIC_PASS = "probabilistic"


@dataclass(frozen=True)
class MatchKeySubmission:
    """One agency's match keys as the linkage unit holds them.

    Attributes:
        agency: The agency.
        table: ``serial`` and one ``mk_<pass>`` column per pass.
        manifest: The package's manifest (None for tables built in memory).
    """

    agency: str
    table: pa.Table
    manifest: PackageManifest | None = None

    def __repr__(self) -> str:
        return f"MatchKeySubmission(agency={self.agency!r}, rows={self.table.num_rows})"


def _key_halves(column: pa.ChunkedArray | pa.Array) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Return (first 8 bytes, last 8 bytes, valid mask) of a 16-byte binary column."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if arr.type != pa.binary(KEY_BYTES):
        arr = arr.cast(pa.binary(KEY_BYTES))
    n = len(arr)
    valid = (
        np.ones(n, dtype=bool)
        if arr.null_count == 0
        else arr.is_valid().to_numpy(zero_copy_only=False)
    )
    data = arr.buffers()[1]
    words = np.frombuffer(data, dtype=np.int64, count=2 * (arr.offset + n))[2 * arr.offset :]
    pairs = words.reshape(n, 2)
    return pairs[:, 0], pairs[:, 1], valid


def _popcount(values: NDArray[Any]) -> NDArray[Any]:
    """Return the number of set bits of each int64 (NumPy 1.26 has no bitwise_count)."""
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    as_bytes = np.ascontiguousarray(values, dtype=np.int64).view(np.uint8).reshape(-1, 8)
    return np.asarray(table[as_bytes].sum(axis=1), dtype=np.int64)


def _random_ids(n: int) -> NDArray[Any]:
    return SerialAllocator().take(n)


def link_match_keys(
    submissions: Sequence[MatchKeySubmission],
    pass_names: Sequence[str],
    *,
    project_id: str = "",
    scheme: MatchKeyScheme | None = None,
    key_id: str = "",
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: bool = False,
    on_pass: Callable[[int, int], None] | None = None,
    probabilistic: ProbabilisticSpec | None = None,
) -> tuple[LinkageMap, QualityReport]:
    """Link match-key tables pass by pass, one-to-one, into a linkage map.

    Args:
        submissions: One per agency (two or more).
        pass_names: Passes in order, strict to loose; each needs ``mk_<name>`` columns.
        project_id: The project, recorded in map and report.
        scheme: The scheme, recorded in the report (name, version, hash).
        key_id: The key id, recorded in the report.
        threads: DuckDB threads (default: all cores).
        memory_limit: DuckDB memory limit such as ``"4GB"``.
        progress: Show a progress bar over passes.
        on_pass: Called with (pass index, number of passes) as each pass
            begins, for a caller's own progress report.
        probabilistic: When given, a probabilistic pass over the tables'
            ``bf_*`` and ``bk_*`` columns follows the exact passes, on the
            records they left open (see :mod:`linkage.probabilistic_pass`).

    Returns:
        The linkage map and the quality report.

    Raises:
        LinkingError: Fewer than two agencies, too many, duplicates, missing columns
            or repeated serials.
    """
    started = time.perf_counter()
    if len(submissions) < 2:
        raise LinkingError(text("link.too_few", count=len(submissions)))
    if len(submissions) > MAX_AGENCIES:
        raise LinkingError(text("link.too_many", limit=MAX_AGENCIES, count=len(submissions)))
    names = [s.agency for s in submissions]
    for name in names:
        if names.count(name) > 1:
            raise LinkingError(text("link.duplicate_agency", agency=name))
    subs = sorted(submissions, key=lambda s: s.agency)
    agencies = [s.agency for s in subs]
    for sub in subs:
        lacking = [f"mk_{p}" for p in pass_names if f"mk_{p}" not in sub.table.column_names]
        if "serial" not in sub.table.column_names:
            lacking.insert(0, "serial")
        if lacking:
            raise LinkingError(text("link.bad_columns", agency=sub.agency, columns=", ".join(lacking)))
    sizes = np.array([s.table.num_rows for s in subs], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    total = int(sizes.sum())
    agency_of = np.repeat(np.arange(len(subs), dtype=np.int8), sizes)
    for sub in subs:
        part = sub.table.column("serial").to_numpy()
        repeats = len(part) - len(np.unique(part))
        if repeats:
            raise LinkingError(text("link.duplicate_serial", agency=sub.agency, count=repeats))

    full_mask = (1 << len(subs)) - 1
    cluster = np.arange(total, dtype=np.int64)  # cluster id = the rid of a founding record
    cmask = np.left_shift(np.int64(1), agency_of.astype(np.int64))  # agencies, by cluster id
    csize = np.ones(total, dtype=np.int32)  # members, by cluster id
    link_pass = np.full(total, -1, dtype=np.int16)
    # DuckDB spills to disk when an aggregation outgrows memory_limit; keep its
    # scratch files in a private temporary folder, removed afterwards.
    scratch = tempfile.mkdtemp(prefix="linkage-duckdb-")
    con = duckdb.connect()
    con.execute(f"SET temp_directory = '{scratch}'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    con.execute("SET preserve_insertion_order = false")
    results: list[PassResult] = []
    bar = tqdm(pass_names, desc=text("progress.link"), disable=not progress, leave=False)
    for p_index, pass_name in enumerate(bar):
        if on_pass is not None:
            on_pass(p_index, len(pass_names))
        # One preallocated array per field keeps the pass at ~25 bytes per record.
        halves = [_key_halves(sub.table.column(f"mk_{pass_name}")) for sub in subs]
        with_key = {sub.agency: int(h[2].sum()) for sub, h in zip(subs, halves, strict=True)}
        m = sum(with_key.values())
        hi = np.empty(m, dtype=np.int64)
        cl = np.empty(m, dtype=np.int64)
        ag = np.empty(m, dtype=np.int8)
        lo_of_rid = np.zeros(total, dtype=np.int64)  # second key halves, for verification
        pos = 0
        for i in range(len(subs)):
            k_hi, k_lo, valid = halves[i]
            halves[i] = None  # type: ignore[call-overload]
            idx = np.flatnonzero(valid)
            n_i = len(idx)
            hi[pos : pos + n_i] = k_hi[idx]
            cl[pos : pos + n_i] = cluster[idx + offsets[i]]
            ag[pos : pos + n_i] = i
            lo_of_rid[idx + offsets[i]] = k_lo[idx]
            pos += n_i
            del k_hi, k_lo, valid, idx
        del halves
        cm = cmask[cl]
        # Partial clusters with several members may hold one key value twice:
        # they are folded to one row per (key, cluster) before the group test.
        folded = (csize[cl] > 1) & (cm != full_mask)
        any_folded = bool(folded.any())
        single = ~folded
        # Large passes are split into partitions by key bits: a key value never
        # spans two partitions, and each aggregation then needs a fraction of
        # the memory (the same shape a distributed engine would shuffle by).
        # Rows are ordered by partition once (a radix sort on one byte), so each
        # aggregation scans only its own slice.
        parts = 1 << max(0, int(np.ceil(np.log2(max(m, 1) / PARTITION_ROWS))))
        if any_folded:
            columns = {"hi": hi[single], "cl": cl[single], "cm": cm[single], "ag": ag[single]}
        else:
            columns = {"hi": hi, "cl": cl, "cm": cm, "ag": ag}
        bounds = np.array([0, len(columns["hi"])])
        if parts > 1:
            part_of = (columns["hi"] & (parts - 1)).astype(np.uint8)
            order = np.argsort(part_of, kind="stable")
            bounds = np.concatenate([[0], np.cumsum(np.bincount(part_of, minlength=parts))])
            del part_of
            columns = {name: values[order] for name, values in columns.items()}
            del order
        records_all = pa.table(columns)
        del columns
        if any_folded:
            con.register(
                "multi", pa.table({"hi": hi[folded], "cl": cl[folded], "cm": cm[folded], "ag": ag[folded]})
            )
        del cm, ag, single, folded
        amb_dup = amb_conflict = 0
        pieces = []
        for part in range(parts):
            con.register("records", records_all.slice(bounds[part], bounds[part + 1] - bounds[part]))
            source = (
                "SELECT hi, cl, cm, (1::BIGINT << ag) AS am, 1 AS nrec, "
                f"cm = {full_mask} AS complete FROM records"
            )
            if any_folded:
                where = f"WHERE (hi & {parts - 1}) = {part}" if parts > 1 else ""
                source += (
                    " UNION ALL SELECT hi, cl, any_value(cm), bit_or(1::BIGINT << ag), count(*), false"
                    f" FROM multi {where} GROUP BY hi, cl"
                )
            # Groups are formed on the first 64 bits of the keys; proposed links
            # between single records are then checked on the other 64 (see below).
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE g AS
                SELECT CASE
                         WHEN sum(nrec) > bit_count(bit_or(am)) THEN 1
                         WHEN bool_or(complete)
                           OR sum(CASE WHEN complete THEN 0 ELSE bit_count(cm) END)
                              > bit_count(bit_or(CASE WHEN complete THEN 0 ELSE cm END)) THEN 2
                         ELSE 0
                       END AS verdict,
                       hi,
                       count(*)::INTEGER AS nrows,
                       sum(CASE WHEN complete THEN 0 ELSE nrec END)::BIGINT AS open_n,
                       bit_or(CASE WHEN complete THEN 0 ELSE cm END) AS cm_union,
                       min(cl) AS lo_cl, max(cl) AS hi_cl
                FROM ({source})
                GROUP BY hi
                HAVING min(cl) <> max(cl)
                """
            )
            counts = dict(con.execute("SELECT verdict, sum(open_n) FROM g GROUP BY verdict").fetchall())
            amb_dup += int(counts.get(1) or 0)
            amb_conflict += int(counts.get(2) or 0)
            pieces.append(
                con.sql("SELECT hi, nrows, cm_union, lo_cl, hi_cl FROM g WHERE verdict = 0").to_arrow_table()
            )
            con.execute("DROP TABLE g")
            con.unregister("records")
        del records_all
        if any_folded:
            con.unregister("multi")
        proposals = pa.concat_tables(pieces)
        del pieces
        g = {
            name: proposals.column(name).combine_chunks().to_numpy(zero_copy_only=False)
            for name in proposals.column_names
        }
        del proposals
        # Two single records proposed on equal first halves must agree on the
        # second halves too; otherwise two key values collided (odds ~1e-5 per
        # run at 20M keys) and the group is left unlinked.
        both_single = (csize[g["lo_cl"]] == 1) & (csize[g["hi_cl"]] == 1) & (g["nrows"] == 2)
        collided = both_single & (lo_of_rid[g["lo_cl"]] != lo_of_rid[g["hi_cl"]])
        if collided.any():
            amb_conflict += int(2 * collided.sum())
            g = {k: v[~collided] for k, v in g.items()}
        del lo_of_rid

        # Members of each proposing group: two clusters read straight off the
        # aggregate; bigger groups (three or more agencies) are joined back.
        pair = g["nrows"] == 2
        group_ids = np.arange(len(g["nrows"]))
        pair_ids = np.flatnonzero(pair)
        member_group = [pair_ids, pair_ids]
        member_cluster = [g["lo_cl"][pair], g["hi_cl"][pair]]
        wide = np.flatnonzero(g["nrows"] > 2)
        if len(wide):
            con.register("wide", pa.table({"hi": g["hi"][wide], "gid": wide}))
            con.register("keys", pa.table({"hi": hi, "cl": cl}))
            members = con.sql(
                "SELECT DISTINCT w.gid, k.cl FROM keys k JOIN wide w USING (hi)"
            ).to_arrow_table()
            con.unregister("wide")
            con.unregister("keys")
            member_group.append(members.column("gid").to_numpy())
            member_cluster.append(members.column("cl").to_numpy())
        del hi, cl
        m_group = np.concatenate(member_group).astype(np.int64)
        m_cluster = np.concatenate(member_cluster).astype(np.int64)
        # Rule 3: a cluster in two proposing groups links through neither.
        amb_multiple = 0
        if any_folded:
            repeated_clusters, repeats_n = np.unique(m_cluster, return_counts=True)
            repeated_clusters = repeated_clusters[repeats_n > 1]
            if len(repeated_clusters):
                bad_groups = np.unique(m_group[np.isin(m_cluster, repeated_clusters)])
                drop = np.isin(m_group, bad_groups)
                amb_multiple = int(csize[np.unique(m_cluster[drop])].sum())
                m_group, m_cluster = m_group[~drop], m_cluster[~drop]
                group_ids = np.setdiff1d(group_ids, bad_groups)
        # The smallest cluster id of a group (lo_cl) is the merged cluster's id.
        target = g["lo_cl"][m_group]
        newly_linked = 0
        if len(m_cluster):
            remap = np.arange(total, dtype=np.int64)
            remap[m_cluster] = target
            cmask[target] = g["cm_union"][m_group]
            before_alone = csize[cluster] == 1
            cluster = remap[cluster]
            del remap
            csize = np.bincount(cluster, minlength=total).astype(np.int32)
            newly = before_alone & (csize[cluster] > 1)
            del before_alone
            link_pass[newly & (link_pass < 0)] = p_index
            newly_linked = int(newly.sum())
            del newly
        results.append(
            PassResult(
                name=pass_name,
                records_with_key=with_key,
                links=int(len(group_ids)),
                records_linked=newly_linked,
                ambiguous_duplicate=amb_dup,
                ambiguous_conflict=amb_conflict,
                ambiguous_multiple=amb_multiple,
            )
        )
        del g, m_group, m_cluster, target
    bar.close()
    models: list[dict[str, Any]] = []
    if probabilistic is not None:
        if on_pass is not None:
            on_pass(len(pass_names), len(pass_names) + 1)
        state = _ClusterState(cluster, cmask, csize, link_pass)
        result, models = _link_probabilistically(subs, offsets, agency_of, state, probabilistic, len(pass_names))
        cluster, cmask, csize, link_pass = state.cluster, state.cmask, state.csize, state.link_pass
        results.append(result)
        pass_names = [*pass_names, PROBABILISTIC_PASS]
    con.close()
    shutil.rmtree(scratch, ignore_errors=True)

    # A cluster's id is the rid of its founding record, which never moves: the
    # roots are the records that are their own cluster id (no sort needed).
    roots = np.flatnonzero(cluster == np.arange(total, dtype=np.int64))
    id_of_root = np.zeros(total, dtype=np.int64)
    id_of_root[roots] = _random_ids(len(roots))
    link_ids = id_of_root[cluster]
    del id_of_root
    agency_labels = pa.array(agencies, pa.string())
    pass_labels = pa.array(list(pass_names), pa.string())
    pass_index = pa.array(link_pass.astype(np.int32), mask=link_pass < 0)
    serials = pa.concat_arrays(
        [s.table.column("serial").combine_chunks().cast(pa.int64()) for s in subs]
    )
    map_table = pa.Table.from_arrays(
        [
            agency_labels.take(pa.array(agency_of)),
            serials,
            pa.array(link_ids, pa.int64()),
            pass_labels.take(pass_index),
        ],
        schema=LINKAGE_MAP_SCHEMA,
    )

    root_mask = cmask[roots]
    root_size = csize[roots]
    cluster_sizes = {str(k): int(v) for k, v in zip(*np.unique(root_size, return_counts=True), strict=True)}
    unlinked = {
        a: int(((csize[cluster] == 1) & (agency_of == i)).sum()) for i, a in enumerate(agencies)
    }
    pairs = []
    for i in range(len(subs)):
        for j in range(i + 1, len(subs)):
            both = (1 << i) | (1 << j)
            linked = int(((root_mask & both) == both).sum())
            pairs.append(
                PairRate(
                    agency_a=agencies[i],
                    agency_b=agencies[j],
                    linked=linked,
                    rate_a=round(linked / max(int(sizes[i]), 1), 6),
                    rate_b=round(linked / max(int(sizes[j]), 1), 6),
                )
            )
    report = QualityReport(
        project_id=project_id,
        scheme_name=scheme.name if scheme else "",
        scheme_version=scheme.version if scheme else 0,
        scheme_hash=scheme.content_hash if scheme else "",
        key_id=key_id,
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        records={a: int(n) for a, n in zip(agencies, sizes, strict=True)},
        passes=results,
        pairs=pairs,
        cluster_sizes=cluster_sizes,
        unlinked=unlinked,
        missing_counts={s.agency: dict(s.manifest.missing_counts) for s in subs if s.manifest},
        invalid_counts={s.agency: dict(s.manifest.invalid_counts) for s in subs if s.manifest},
        package_ids={s.agency: s.manifest.package_id for s in subs if s.manifest},
        seconds=round(time.perf_counter() - started, 3),
        models=models,
    )
    linkage_map = LinkageMap(
        table=map_table, project_id=project_id, scheme_hash=scheme.content_hash if scheme else ""
    )
    return linkage_map, report


@dataclass
class _ClusterState:
    """The clusters as the exact passes left them, updated by the probabilistic pass."""

    cluster: NDArray[Any]
    cmask: NDArray[Any]
    csize: NDArray[Any]
    link_pass: NDArray[Any]

    def merge(self, left: NDArray[Any], right: NDArray[Any], pass_index: int) -> int:
        """Merge the clusters of each (left, right) record pair; return records newly linked.

        Each cluster takes part in at most one pair (its open record of the
        left agency, or of the right one), so the merges are independent.
        """
        if not len(left):
            return 0
        ca, cb = self.cluster[left], self.cluster[right]
        target = np.minimum(ca, cb)
        self.cmask[target] = self.cmask[ca] | self.cmask[cb]
        remap = np.arange(len(self.cluster), dtype=np.int64)
        remap[ca] = target
        remap[cb] = target
        before_alone = self.csize[self.cluster] == 1
        self.cluster = remap[self.cluster]
        self.csize = np.bincount(self.cluster, minlength=len(self.cluster)).astype(np.int32)
        newly = before_alone & (self.csize[self.cluster] > 1)
        self.link_pass[newly & (self.link_pass < 0)] = pass_index
        return int(newly.sum())


def _link_probabilistically(
    subs: Sequence[MatchKeySubmission],
    offsets: NDArray[Any],
    agency_of: NDArray[Any],
    state: _ClusterState,
    spec: ProbabilisticSpec,
    pass_index: int,
) -> tuple[PassResult, list[dict[str, Any]]]:
    """Run the probabilistic pass over every pair of agencies, in name order."""
    encoded = [EncodedRecords.from_table(s.table, spec) for s in subs]
    with_filter = {
        s.agency: int(np.logical_or.reduce([v for _, v in e.filters.values()]).sum())
        for s, e in zip(subs, encoded, strict=True)
    }
    links = linked = review = candidates = 0
    models: list[dict[str, Any]] = []
    for i in range(len(subs)):
        for j in range(i + 1, len(subs)):
            rid_a = np.arange(offsets[i], offsets[i + 1])
            rid_b = np.arange(offsets[j], offsets[j + 1])
            open_a = (state.cmask[state.cluster[rid_a]] & (1 << j)) == 0
            open_b = (state.cmask[state.cluster[rid_b]] & (1 << i)) == 0

            def compatible(ia: NDArray[Any], ib: NDArray[Any], oa: int = offsets[i], ob: int = offsets[j]) -> Any:
                # A merge must keep one record per agency in the person's cluster.
                return (state.cmask[state.cluster[ia + oa]] & state.cmask[state.cluster[ib + ob]]) == 0

            # The right-agency record each left record was linked to exactly, if any.
            record_in = np.full(len(state.cluster), -1, dtype=np.int64)
            record_in[state.cluster[rid_b]] = rid_b - offsets[j]
            partner_a = record_in[state.cluster[rid_a]]
            outcome = match_agency_pair(
                encoded[i],
                encoded[j],
                open_a,
                open_b,
                spec,
                partner_a=partner_a,
                compatible=compatible,
                seed=i * 64 + j,
            )
            linked += state.merge(outcome.left + offsets[i], outcome.right + offsets[j], pass_index)
            links += len(outcome.left)
            review += outcome.review_pairs
            candidates += outcome.candidates
            if outcome.model is not None:
                models.append(
                    {"agency_a": subs[i].agency, "agency_b": subs[j].agency, "candidates": outcome.candidates,
                     "links": int(len(outcome.left)), **outcome.model_figures()}
                )
    result = PassResult(
        name=PROBABILISTIC_PASS,
        records_with_key=with_filter,
        links=links,
        records_linked=linked,
        ambiguous_duplicate=0,
        ambiguous_conflict=0,
        ambiguous_multiple=0,
        kind="probabilistic",
        candidate_pairs=candidates,
        review_pairs=review,
    )
    return result, models


def _probabilistic_from_manifests(manifests: Sequence[PackageManifest]) -> ProbabilisticSpec | None:
    """Return the probabilistic section every package's signed manifest carries, if they all carry it.

    A linkage unit without the policy files learns the pass from the
    packages; they were made under one scheme hash, so they carry one section.
    """
    sections = [m.probabilistic for m in manifests]
    if not sections or not all(sections):
        return None
    if any(section != sections[0] for section in sections[1:]):
        raise LinkingError(text("link.mismatch", what="probabilistic sections"))
    problems: list[str] = []
    spec = parse_probabilistic_spec(sections[0], "manifest", MATCH_FIELDS, [], problems)
    if spec is None:
        raise LinkingError(text("link.bad_probabilistic", count=len(problems)))
    return spec


def link_submissions(
    packages: Sequence[bytes | OpenedPackage],
    *,
    recipient_private: X25519PrivateKey | None = None,
    trusted_signers: Mapping[str, Ed25519PublicKey] | None = None,
    already_seen: Container[str] = frozenset(),
    scheme: MatchKeyScheme | None = None,
    sources: Sequence[str] | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: bool = False,
    on_pass: Callable[[int, int], None] | None = None,
) -> tuple[LinkageMap, QualityReport]:
    """Open the agencies' match-key packages and link them.

    Args:
        packages: Sealed match-key packages (bytes), or packages already opened
            with :func:`~linkage.sealing.open_package`.
        recipient_private: The linkage unit's X25519 private key (needed for bytes).
        trusted_signers: Agencies' signing public keys by agency name (needed for bytes).
        already_seen: Package ids opened before (replays are refused).
        scheme: The scheme the project agreed; packages made under another
            scheme hash are refused. If None, the packages must agree among themselves.
        sources: File names for error messages, parallel to ``packages``.
        threads: DuckDB threads.
        memory_limit: DuckDB memory limit.
        progress: Show a progress bar.
        on_pass: Called with (pass index, number of passes) as each pass begins.

    Returns:
        The linkage map (seal it to the enclave with :meth:`LinkageMap.seal`) and the report.

    Raises:
        PackageError: A package cannot be opened (see :func:`~linkage.sealing.open_package`).
        UnexpectedPackageError: A package is not a match-key package.
        LinkingError: Packages disagree on project, key id or scheme, or cannot be linked.
        ValueError: Bytes were given without the keys to open them (a programming error).
    """
    names = list(sources) if sources else [f"package {i + 1}" for i in range(len(packages))]
    opened: list[OpenedPackage] = []
    for data, source in zip(packages, names, strict=True):
        if isinstance(data, OpenedPackage):
            package = data
        elif recipient_private is None or trusted_signers is None:
            raise ValueError("sealed packages need recipient_private and trusted_signers to open")
        else:
            package = open_package(data, recipient_private, trusted_signers, already_seen, source)
        opened.append(package.expect("match_keys", source))
    manifests = [p.manifest for p in opened]
    for what, values in (
        ("projects", {m.project_id for m in manifests}),
        ("key ids", {m.key_id for m in manifests}),
        ("match-key schemes", {m.scheme_hash for m in manifests}),
    ):
        if len(values) > 1:
            raise LinkingError(text("link.mismatch", what=what))
    if scheme is not None and manifests and manifests[0].scheme_hash != scheme.content_hash:
        raise LinkingError(text("link.mismatch", what="match-key schemes"))
    pass_names = (
        list(scheme.pass_names)
        if scheme is not None
        else [c[3:] for c in opened[0].table().column_names if c.startswith("mk_")]
    )
    submissions = [
        MatchKeySubmission(agency=p.manifest.agency, table=p.table(), manifest=p.manifest)
        for p in opened
    ]
    probabilistic = scheme.probabilistic if scheme is not None else _probabilistic_from_manifests(manifests)
    first = manifests[0] if manifests else None
    return link_match_keys(
        submissions,
        pass_names,
        project_id=first.project_id if first else "",
        scheme=scheme,
        key_id=first.key_id if first else "",
        threads=threads,
        memory_limit=memory_limit,
        progress=progress,
        on_pass=on_pass,
        probabilistic=probabilistic,
    )
