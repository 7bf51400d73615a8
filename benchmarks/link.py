"""Benchmark the linkage unit: 10 million records per agency, two agencies, four match keys.

Ours: :func:`linkage.link_match_keys` (one-to-one, multi-pass, DuckDB over
Arrow) in a fresh process that reads the two match-key tables from Parquet, so
its peak memory (``ru_maxrss``) is the linking's own. Peer: Splink 5 on DuckDB
with the same four deterministic rules (``block_on`` each key, then connected
components), in its own venv under ``benchmarks/.venvs/splink``, on a smaller
size, with ours on the same data for the ratio. Splink does not enforce
one-to-one links, so its pair count is printed too.

Like for like: each side is timed from tables in memory to a linkage result in
memory. Splink's set-up (``DuckDBAPI``, registering the tables, building the
``Linker``) is timed apart (``splink_setup_seconds``), and the queries that
count its pairs and clusters are not timed. Splink gets the same 16-byte binary
keys as ours (``splink_over_ours``) and, as a second run, the keys as hex text
(``splink_hex_over_ours``), since text keys are how Splink is usually fed.
Both run DuckDB with two threads and a 2 GB memory cap. Both sides' CPU
seconds are printed too (``splink_cpu_over_ours``): on a busy machine they
move less than wall time.

The synthetic keys model two agencies of which 70% of the persons overlap:
each pass's key is missing for 2% of records and differs (a corrupted
identifier) for 3%, and 0.2% of records share a key value inside an agency.

Targets: ``link_seconds`` <= 60 and ``link_peak_gib`` <= 6 at 10M x 2
(``target_met`` is ``n/a`` at any smaller size).
``link_cpu_seconds`` (all DuckDB threads included) and ``load_average`` are
printed too, because wall time on a shared machine depends on what else runs.
``--quick`` runs 500k x 2 and Splink on 100k x 2 (CI, under ~90 s with venv setup).
The last line is ``name=value`` pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from result_line import judge_target, print_result_line  # noqa: E402

HERE = Path(__file__).resolve().parent
PASSES = ["p1", "p2", "p3", "p4"]
SPLINK_VENV = HERE / ".venvs" / "splink"
TARGET_RECORDS = 10_000_000  # per agency: the size the targets are defined for

OURS = r"""
import json, resource, sys, time
import pyarrow.parquet as pq
from linkage import MatchKeySubmission, link_match_keys
paths, passes = sys.argv[1:3], sys.argv[3].split(",")
start = time.perf_counter()
subs = [MatchKeySubmission(agency, pq.read_table(p, memory_map=True)) for agency, p in zip(("a", "b"), paths)]
loaded = time.perf_counter()
cpu = time.process_time()
linkage_map, report = link_match_keys(subs, passes, threads=2, memory_limit="2GB")
done = time.perf_counter()
cpu = time.process_time() - cpu
print(json.dumps({
    "load_seconds": loaded - start,
    "link_seconds": done - loaded,
    "link_cpu_seconds": cpu,
    "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "linked_records": linkage_map.linked_records,
    "ambiguous": sum(p.ambiguous for p in report.passes),
}))
"""

SPLINK = r"""
import json, logging, sys, time
import duckdb, pyarrow as pa, pyarrow.parquet as pq
import splink
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
paths, passes, keys = sys.argv[1:3], sys.argv[3].split(","), sys.argv[4]
tables = []
for p in paths:
    t = pq.read_table(p)
    cols = {"unique_id": t.column("serial")}
    for name in passes:
        column = t.column("mk_" + name)
        if keys == "hex":
            # Conversion is outside the timing, as reading Parquet is for ours.
            column = pa.array([None if v is None else v.hex() for v in column.to_pylist()], pa.string())
        cols["mk_" + name] = column
    tables.append(pa.table(cols))
start = time.perf_counter()
connection = duckdb.connect()
# The same two threads and memory cap as ours gets, whatever the machine has.
connection.execute("SET threads = 2; SET memory_limit = '2GB'")
db_api = DuckDBAPI(connection)
dfs = [db_api.register(t, dataset_display_name=n) for t, n in zip(tables, ("a", "b"))]
settings = SettingsCreator(
    link_type="link_only",
    blocking_rules_to_generate_predictions=[block_on("mk_" + p) for p in passes],
    comparisons=[],
    retain_intermediate_calculation_columns=False,
    retain_matching_columns=False,
)
linker = Linker(dfs, settings, log_level=logging.WARNING)
linked, cpu = time.perf_counter(), time.process_time()
pairs = linker.inference.deterministic_link()
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
done, cpu = time.perf_counter(), time.process_time() - cpu
# Counting is reporting, not linking: outside the timing.
n_pairs = pairs.as_duckdbpyrelation().count("*").fetchall()[0][0]
n_clusters = clusters.as_duckdbpyrelation().aggregate("count(DISTINCT cluster_id)").fetchall()[0][0]
print(json.dumps({"setup_seconds": linked - start, "seconds": done - linked, "cpu_seconds": cpu, "pairs": n_pairs,
                  "clusters": n_clusters, "version": splink.__version__}))
"""


def make_tables(n: int, seed: int, folder: Path) -> list[Path]:
    """Write two agencies' synthetic match-key tables of ``n`` records each."""
    rng = np.random.default_rng(seed)
    persons = int(n / 0.85)
    key_of_person = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, (len(PASSES), persons, 2))
    paths = []
    for agency in ("a", "b"):
        # 70% of each agency's persons are shared: pick from a common pool plus own persons.
        members = rng.permutation(persons)[:n]
        serial = rng.permutation(np.arange(n, dtype=np.int64) * 7919 + 17)
        columns: dict[str, pa.Array] = {"serial": pa.array(serial)}
        for p_index, name in enumerate(PASSES):
            keys = key_of_person[p_index, members].copy()
            noisy = rng.random(n) < 0.03
            keys[noisy] = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, (int(noisy.sum()), 2))
            shared = np.flatnonzero(rng.random(n) < 0.001)
            if len(shared) > 1:
                keys[shared[1:]] = keys[shared[:-1]]
            valid = rng.random(n) >= 0.02
            validity = pa.array(valid).buffers()[1]
            columns[f"mk_{name}"] = pa.FixedSizeBinaryArray.from_buffers(
                pa.binary(16), n, [validity, pa.py_buffer(np.ascontiguousarray(keys).tobytes())]
            )
        path = folder / f"{agency}.parquet"
        pq.write_table(pa.table(columns), path, compression="none")
        paths.append(path)
        del columns
    return paths


def run_ours(paths: list[Path]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", OURS, str(paths[0]), str(paths[1]), ",".join(PASSES)],
        check=True, capture_output=True, text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_splink() -> Path | None:
    """Create ``benchmarks/.venvs/splink`` on first use; return its python, or None if that fails."""
    python = SPLINK_VENV / "bin" / "python"
    if python.exists():
        probe = subprocess.run([str(python), "-c", "import splink"], capture_output=True)
        if probe.returncode == 0:
            return python
    try:
        # The venv sees our site-packages (duckdb, pyarrow) and adds only what Splink lacks.
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(SPLINK_VENV)],
                       check=True, capture_output=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "splink==5.*"],
                       check=True, capture_output=True, timeout=600)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"Splink could not be installed ({type(exc).__name__}); skipping the peer.", file=sys.stderr)
        return None
    return python


def run_splink(python: Path, paths: list[Path], keys: str) -> dict[str, float]:
    """Run Splink in a fresh process on ``paths``, its keys given as ``binary`` or ``hex`` text."""
    out = subprocess.run(
        [str(python), "-c", SPLINK, str(paths[0]), str(paths[1]), ",".join(PASSES), keys],
        capture_output=True, text=True,
    )
    if out.returncode != 0:
        print(out.stderr[-3000:], file=sys.stderr)
        out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="500k x 2 (peer 100k x 2), for CI.")
    parser.add_argument("--records", type=int, help="Records per agency for our run.")
    parser.add_argument("--peer-records", type=int, help="Records per agency for the Splink comparison.")
    parser.add_argument("--no-peer", action="store_true", help="Skip Splink.")
    parser.add_argument("--data-dir", type=Path,
                        help="Keep the generated tables here and reuse them on the next run.")
    args = parser.parse_args()
    n = args.records or (500_000 if args.quick else TARGET_RECORDS)
    n_peer = args.peer_records or (100_000 if args.quick else 1_000_000)
    with tempfile.TemporaryDirectory(prefix="link-bench-") as tmp:
        folder = args.data_dir or Path(tmp)
        big = folder / f"big-{n}"
        big.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        paths = [big / "a.parquet", big / "b.parquet"]
        if not all(p.exists() for p in paths):
            paths = make_tables(n, 1, big)
        print(f"generated {n:,} x 2 match-key records in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        ours = run_ours(paths)
        print(f"ours {n:,} x 2: {ours}", file=sys.stderr)
        result: dict[str, object] = {
            "records_per_agency": n,
            "passes": len(PASSES),
            "link_seconds": round(ours["link_seconds"], 2),
            "link_cpu_seconds": round(ours["link_cpu_seconds"], 2),
            "load_seconds": round(ours["load_seconds"], 2),
            "load_average": round(os.getloadavg()[0], 2),
            "link_peak_gib": round(ours["peak_kib"] / 2**20, 2),
            "linked_records": ours["linked_records"],
            "target_met": judge_target(
                ours["link_seconds"] <= 60 and ours["peak_kib"] / 2**20 <= 6, n, TARGET_RECORDS
            ),
        }
        python = None if args.no_peer else ensure_splink()
        if python is not None:
            small = folder / f"small-{n_peer}"
            small.mkdir(parents=True, exist_ok=True)
            peer_paths = [small / "a.parquet", small / "b.parquet"]
            if not all(p.exists() for p in peer_paths):
                peer_paths = make_tables(n_peer, 2, small)
            ours_small = run_ours(peer_paths)
            splink = run_splink(python, peer_paths, "binary")
            splink_hex = run_splink(python, peer_paths, "hex")
            print(f"ours {n_peer:,} x 2: {ours_small}; splink: {splink}; splink on hex keys: {splink_hex}",
                  file=sys.stderr)
            result.update(
                {
                    "peer": f"splink-{splink['version']}",
                    "peer_records_per_agency": n_peer,
                    "ours_small_seconds": round(ours_small["link_seconds"], 2),
                    "splink_seconds": round(splink["seconds"], 2),
                    "splink_setup_seconds": round(splink["setup_seconds"], 2),
                    "splink_over_ours": round(splink["seconds"] / ours_small["link_seconds"], 2),
                    # CPU time (DuckDB's threads included) moves less than wall time with the machine's load.
                    "ours_small_cpu_seconds": round(ours_small["link_cpu_seconds"], 2),
                    "splink_cpu_seconds": round(splink["cpu_seconds"], 2),
                    "splink_cpu_over_ours": round(splink["cpu_seconds"] / ours_small["link_cpu_seconds"], 2),
                    "splink_hex_seconds": round(splink_hex["seconds"], 2),
                    "splink_hex_over_ours": round(splink_hex["seconds"] / ours_small["link_seconds"], 2),
                    "splink_pairs": splink["pairs"],
                    "ours_small_linked_records": ours_small["linked_records"],
                }
            )
    print_result_line(result)


if __name__ == "__main__":
    main()
