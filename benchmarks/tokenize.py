"""Benchmark the partner tool's hashing stage and its end-to-end preparation rate.

1. The HMAC stage as ``linkage prepare`` runs it: :func:`linkage.match_keys.hmac_spans`
   over one buffer of 64-byte messages and their offsets, with a real pass's
   domain absorbed once, through whichever backend is installed
   (``hmac_backend``: ``openssl-c`` is the ``linkage._hmac`` extension,
   ``python`` the fallback loop), against ``openssl speed -hmac sha256``
   measured in the same run. Target: at least 0.5 of OpenSSL's single-core rate
   per core, and near-linear on two cores.
   Both sides get the same number of runs and keep their best (3 with
   ``--quick``, 5 otherwise). OpenSSL is measured twice: on 64-byte messages
   (``per_core_over_openssl``, as in earlier revisions: the bytes ours hashes
   per message once the domain is absorbed) and on messages as long as what ours
   authenticates, the domain included (``hmac_message_bytes``;
   ``per_core_over_openssl_same_length``): the same function, HMAC of
   domain || message, computed message by message. Absorbing the domain once per
   pass is part of ours, so the second ratio is the higher. ``openssl speed`` is the
   peer rather than Python's ``hmac.digest`` (which also calls OpenSSL) because
   a Python call per message would add interpreter overhead to the peer's side
   only and flatter ours.
   The per-core rate is one thread's CPU-time rate, as ``openssl speed``
   reports by default. The two-core figure is two threads in one process, in
   wall-clock time, and ``two_core_speedup`` divides it by the one-thread
   wall-clock rate measured just before it; wall clock also shows how busy the
   machine was (``load_average_hmac`` is the load average right after).
2. End to end, reported separately: ``prepare_submission`` on a synthetic
   health-agency CSV (1,000,000 records; ``--quick``: 30,000), with one and two
   worker processes, in records per second (normalization of seven identifier
   columns, eight match keys per record, content typing, Parquet, sealing).

No verdict is printed: the ratios are the figures to compare with the target.
The last line is ``name=value`` pairs.
"""

from __future__ import annotations

import sys

if __name__ == "tokenize":
    # This file's name is the standard library's ``tokenize`` (which pandas,
    # traceback and inspect import). When a script in this folder runs, the
    # folder is first on sys.path and an ``import tokenize`` lands here: hand
    # the importer the real module instead, so no benchmark breaks.
    import importlib.util as _util
    import os as _os
    import sysconfig as _sysconfig

    _real = _util.spec_from_file_location(
        "tokenize", _os.path.join(_sysconfig.get_paths()["stdlib"], "tokenize.py")
    )
    assert _real is not None and _real.loader is not None
    _module = _util.module_from_spec(_real)
    sys.modules["tokenize"] = _module
    _real.loader.exec_module(_module)

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, NamedTuple  # noqa: E402

if TYPE_CHECKING:
    # Imported for annotations only: when this file is loaded as the shadowed
    # ``tokenize``, a heavy import here would run in the middle of another's.
    import numpy as np
    from numpy.typing import NDArray

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("result_line", HERE / "result_line.py")
assert _spec is not None and _spec.loader is not None
_result_line = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_result_line)
print_result_line = _result_line.print_result_line

REPO = Path(__file__).resolve().parents[1]
MESSAGE_BYTES = 64  # each message after the domain, as ``_stage_input`` builds them


def openssl_rate(seconds: int, message_bytes: int) -> float:
    """Return OpenSSL's single-core HMAC-SHA256 operations per CPU second on ``message_bytes``-byte messages."""
    proc = subprocess.run(
        ["openssl", "speed", "-mr", "-seconds", str(seconds), "-bytes", str(message_bytes), "-hmac", "sha256"],
        capture_output=True, text=True, check=True,
    )
    out = proc.stdout + proc.stderr
    found = re.search(r"^\+R:(\d+):[^:]+:([\d.]+)$", out, re.MULTILINE)
    if not found:
        raise RuntimeError("could not read `openssl speed` output")
    return int(found.group(1)) / float(found.group(2))


def openssl_best(seconds: int, message_bytes: int, repeats: int) -> float:
    """Return the best of ``repeats`` runs of :func:`openssl_rate`: the same count ours gets."""
    return max(openssl_rate(seconds, message_bytes) for _ in range(repeats))


def _stage_input(n: int) -> tuple[bytes, NDArray[np.int64], bytes, bytes]:
    """Return n 64-byte messages end to end, their offsets, a key and a real pass's domain.

    This is the shape ``MatchKeyer.derive`` hands the HMAC stage: one buffer and
    ``n + 1`` int64 offsets per pass, with the pass's domain absorbed once.
    """
    import random

    import numpy as np

    from linkage import MatchKeyer, derive_project_key, load_identifier_policies

    scheme = load_identifier_policies(REPO / "policies" / "identifiers").scheme
    key = derive_project_key(bytes(32), "bench", "k1")
    domain = MatchKeyer(scheme, key, "k1").domain(scheme.passes[0])
    data = random.Random(1).randbytes(MESSAGE_BYTES * n)
    starts = np.arange(0, MESSAGE_BYTES * n + 1, MESSAGE_BYTES, dtype=np.int64)
    return data, starts, key, domain


class HashRates(NamedTuple):
    """The HMAC stage's rates, in messages per second.

    Attributes:
        backend: ``openssl-c`` or ``python`` (:data:`linkage.match_keys.HMAC_BACKEND`).
        per_core: One thread, per CPU second (as ``openssl speed`` counts).
        one_wall: One thread, per wall-clock second.
        two_wall: Two threads in this process, per wall-clock second, measured
            right after ``one_wall`` so the machine's load is alike for both.
        two_cpu: The two-thread run per CPU second of the process, times two:
            what two cores give if neither slows the other.
        python: The pure-Python backend, per CPU second, for comparison.
        prefix_bytes: Length of the domain absorbed once before every message.
    """

    backend: str
    per_core: float
    one_wall: float
    two_wall: float
    two_cpu: float
    python: float
    prefix_bytes: int


def hash_rates(n: int, repeats: int) -> HashRates:
    """Measure the HMAC stage as ``linkage prepare`` runs it, on ``n`` 64-byte messages (best of ``repeats``)."""
    from linkage.match_keys import HMAC_BACKEND, hmac_spans

    data, starts, key, domain = _stage_input(n)
    per_core = one_wall = two_wall = two_cpu = 0.0
    for _ in range(repeats):
        for threads in (1, 2):
            wall, cpu = time.perf_counter(), time.process_time()
            hmac_spans(key, data, starts, domain, threads=threads)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if threads == 1:
                per_core, one_wall = max(per_core, n / cpu), max(one_wall, n / wall)
            else:
                two_wall, two_cpu = max(two_wall, n / wall), max(two_cpu, 2 * n / cpu)
    python_n = min(n, 300_000)
    cpu = time.process_time()
    hmac_spans(key, data, starts[: python_n + 1], domain, backend="python")
    python = python_n / (time.process_time() - cpu)
    return HashRates(HMAC_BACKEND, per_core, one_wall, two_wall, two_cpu, python, len(domain))


def prepare_rate(records: int, workers: int, folder: Path) -> tuple[float, int]:
    """Prepare a synthetic health CSV; return (records per second, records)."""
    from linkage import (
        generate_agency_data,
        generate_party_keys,
        load_identifier_policies,
        prepare_submission,
        write_synthetic_data,
    )

    csv = folder / "health.csv"
    if not csv.exists():
        data = generate_agency_data(int(records / 0.9) + 1, agencies=("health",), seed=3)
        write_synthetic_data(data, folder)
    policies = load_identifier_policies(REPO / "policies" / "identifiers")
    keys = {n: generate_party_keys(n) for n in ("health", "linkage-unit", "enclave")}
    start = time.perf_counter()
    prepared = prepare_submission(
        csv, agency="health", schema=policies.schema("health"), scheme=policies.scheme,
        project_id="bench", key_id="k1", linkage_secret=bytes(32), signer=keys["health"].signing,
        linkage_unit_public=keys["linkage-unit"].sealing_public, enclave_public=keys["enclave"].sealing_public,
        workers=workers, chunk_rows=50_000,
    )
    seconds = time.perf_counter() - start
    return prepared.report.rows / seconds, prepared.report.rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="Smaller sizes for CI (under ~90 s).")
    args = parser.parse_args()
    n = 1_000_000 if args.quick else 4_000_000
    records = 30_000 if args.quick else 1_000_000
    repeats = 3 if args.quick else 5
    seconds = 1 if args.quick else 3
    openssl = openssl_best(seconds, MESSAGE_BYTES, repeats)
    rates = hash_rates(n, repeats)
    message_bytes = MESSAGE_BYTES + rates.prefix_bytes
    openssl_same = openssl_best(seconds, message_bytes, repeats)
    load_after_hmac = os.getloadavg()[0]
    print(
        f"openssl {openssl:,.0f}/s on {MESSAGE_BYTES} B, {openssl_same:,.0f}/s on {message_bytes} B; "
        f"ours ({rates.backend}) {rates.per_core:,.0f}/s per core, "
        f"{rates.one_wall:,.0f}/s on 1 thread and {rates.two_wall:,.0f}/s on 2 threads (wall); "
        f"python backend {rates.python:,.0f}/s",
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="tokenize-bench-") as tmp:
        one, rows = prepare_rate(records, 1, Path(tmp))
        two, _ = prepare_rate(records, 2, Path(tmp))
    print_result_line(
        {
            "hmac_backend": rates.backend,
            "openssl_hmac_per_s": round(openssl),
            "ours_hmac_per_core_per_s": round(rates.per_core),
            "ours_hmac_1thread_wall_per_s": round(rates.one_wall),
            "ours_hmac_2cores_per_s": round(rates.two_wall),
            "ours_hmac_2cores_cpu_per_s": round(rates.two_cpu),
            "python_hmac_per_core_per_s": round(rates.python),
            "hmac_prefix_bytes": rates.prefix_bytes,
            "per_core_over_openssl": round(rates.per_core / openssl, 3),
            "hmac_message_bytes": message_bytes,
            "openssl_hmac_same_length_per_s": round(openssl_same),
            "per_core_over_openssl_same_length": round(rates.per_core / openssl_same, 3),
            "runs_each": repeats,
            "two_core_speedup": round(rates.two_wall / rates.one_wall, 2),
            "prepare_records": rows,
            "prepare_1worker_records_per_s": round(one),
            "prepare_2workers_records_per_s": round(two),
            "match_keys_per_record": 8,
            "load_average_hmac": round(load_after_hmac, 2),
            "load_average": round(os.getloadavg()[0], 2),
        }
    )


if __name__ == "__main__":
    main()
