"""Benchmark: identification-risk measures at scale, and side by side with pycanon.

Part 1 measures k-anonymity, distinct and entropy l-diversity, t-closeness and
prosecutor risk with ``enclave.privacy.measure_risk`` over a synthetic linked
table (10 million rows, 6 quasi-identifiers; target at most 20 s).

Part 2 writes a smaller table (100,000 rows) to CSV, computes k-anonymity,
distinct l-diversity and t-closeness (equal distance) with our library and
with pycanon on the same file, checks that the figures agree, and prints the
ratio of times (target: at least 20x faster on t-closeness). pycanon pins
numpy 2, so it runs in its own virtual environment,
``benchmarks/.venvs/pycanon``, created on first use.

The last line printed is one line of space-separated ``name=value`` pairs.

Usage::

    python benchmarks/risk.py            # full: 10M rows, pycanon on 100k rows
    python benchmarks/risk.py --quick    # CI: 1M rows, pycanon on 2k rows
"""

# ruff: noqa: E402
from __future__ import annotations

import os
import sys

# Other benchmark scripts in this folder are named like standard modules
# (e.g. tokenize.py); drop the folder from the path before anything imports them.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse
import json
import subprocess
import tempfile
import time
import venv
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.result_line import judge_target
from enclave.privacy import measure_k_anonymity, measure_risk, policy_from_dict
from enclave.privacy.risk import (
    encode_classes,
    encode_sensitive,
    l_diversity,
    t_closeness,
)

PEER_VENV = ROOT / "benchmarks" / ".venvs" / "pycanon"
TARGET_ROWS = 10_000_000  # the size the 20 s target is defined for
QUASI_IDENTIFIERS = ["sex", "birth_year", "sido", "household_type", "employment_status", "disability"]
SENSITIVE = "diagnosis_group"

PEER_SCRIPT = r"""
import json, sys, time
import pandas as pd
from pycanon import anonymity
df = pd.read_csv(sys.argv[1], dtype=str)
qi = json.loads(sys.argv[2]); sa = sys.argv[3]; measure = sys.argv[4]
func = {"k": lambda: anonymity.k_anonymity(df, qi),
        "l": lambda: anonymity.l_diversity(df, qi, [sa]),
        "t": lambda: anonymity.t_closeness(df, qi, [sa])}[measure]
start = time.perf_counter(); value = func()
print(json.dumps([time.perf_counter() - start, float(value)]))
"""


def make_table(n: int, seed: int = 0) -> pd.DataFrame:
    """Return a synthetic linked table; string columns are categoricals, as read from Parquet."""
    rng = np.random.default_rng(seed)

    def categorical(labels: list[str], p: np.ndarray | None = None) -> pd.Categorical:
        codes = rng.choice(len(labels), n, p=p).astype(np.int16)
        return pd.Categorical.from_codes(codes, categories=labels)

    sido = [str(c) for c in (11, 26, 27, 28, 29, 30, 31, 36, 41, 43, 44, 46, 47, 48, 50, 51, 52)]
    households = ["single", "couple", "couple_with_children", "single_parent", "three_generation", "other"]
    return pd.DataFrame(
        {
            "sex": categorical(["M", "F"]),
            "birth_year": rng.integers(1935, 2015, n).astype(np.int32),
            "sido": categorical(sido),
            "household_type": categorical(households),
            "employment_status": categorical(["employed", "self_employed", "unemployed", "inactive"]),
            "disability": categorical(["none", "mild", "severe"], p=np.array([0.9, 0.07, 0.03])),
            SENSITIVE: categorical([f"D{i:02d}" for i in range(20)]),
            "income": (rng.lognormal(16.5, 0.8, n) // 1_000_000 * 1_000_000).astype(np.int64),
        }
    )


def policy(k: int = 5) -> object:
    columns: dict[str, object] = {c: {"role": "quasi_identifier"} for c in QUASI_IDENTIFIERS}
    columns[SENSITIVE] = {"role": "sensitive"}
    columns["income"] = {"role": "sensitive", "sensitive_kind": "numeric"}
    return policy_from_dict({"dataset": "benchmark", "thresholds": {"k": k, "l": 2, "t": 0.5}, "columns": columns})


def ensure_peer() -> Path:
    """Create the pycanon virtual environment on first use; return its python."""
    python = PEER_VENV / "bin" / "python"
    if python.exists():
        return python
    print(f"creating {PEER_VENV} and installing pycanon ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(PEER_VENV)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "pycanon"], check=True)
    return python


def ours_on(df: pd.DataFrame, qi: list[str], sa: str) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    start = time.perf_counter()
    k = measure_k_anonymity(df, qi)
    out["k"] = [time.perf_counter() - start, float(k)]
    start = time.perf_counter()
    ids, n_classes = encode_classes(df, qi)
    codes, n_values = encode_sensitive(df[sa], "categorical")
    distinct, _ = l_diversity(ids, n_classes, codes, n_values)
    out["l"] = [time.perf_counter() - start, float(distinct.min())]
    start = time.perf_counter()
    ids, n_classes = encode_classes(df, qi)
    codes, n_values = encode_sensitive(df[sa], "categorical")
    emd = t_closeness(ids, n_classes, codes, n_values, ordered=False)
    out["t"] = [time.perf_counter() - start, float(emd.max())]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for CI (under ~90 s)")
    parser.add_argument("--rows", type=int, help="rows of the large table (default 10M, quick 1M)")
    parser.add_argument("--peer-rows", type=int, help="rows compared with pycanon (default 100k, quick 5k)")
    parser.add_argument("--no-peer", action="store_true", help="skip the pycanon comparison")
    parser.add_argument(
        "--peer-timeout",
        type=float,
        default=3600.0,
        help="stop a pycanon measure after this many seconds (ratio then a bound)",
    )
    args = parser.parse_args()
    rows = args.rows or (1_000_000 if args.quick else TARGET_ROWS)
    peer_rows = args.peer_rows or (2_000 if args.quick else 100_000)

    print(f"generating {rows:,} rows x {len(QUASI_IDENTIFIERS)} quasi-identifiers ...", file=sys.stderr)
    big = make_table(rows)
    pol = policy()
    start = time.perf_counter()
    k = measure_k_anonymity(big, QUASI_IDENTIFIERS)
    k_seconds = time.perf_counter() - start
    start = time.perf_counter()
    risk = measure_risk(big, pol, sensitive=[SENSITIVE])  # k, l (distinct, entropy), t, prosecutor
    risk_seconds = time.perf_counter() - start
    start = time.perf_counter()
    full = measure_risk(big, pol)  # plus numeric t-closeness of income
    all_seconds = time.perf_counter() - start
    assert risk.smallest_class == k == full.smallest_class
    print(
        f"large table: k={k} classes={risk.classes:,} k={k_seconds:.2f}s "
        f"k+l+t+prosecutor={risk_seconds:.2f}s with numeric t too={all_seconds:.2f}s",
        file=sys.stderr,
    )
    fields = {
        "rows": rows,
        "qis": len(QUASI_IDENTIFIERS),
        "k_seconds": round(k_seconds, 3),
        "risk_seconds": round(risk_seconds, 3),
        "risk_all_seconds": round(all_seconds, 3),
        "target_seconds": 20,
        "meets_target": judge_target(risk_seconds <= 20, rows, TARGET_ROWS),
    }
    if not args.no_peer:
        small = make_table(peer_rows, seed=1)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "peer.csv"
            small.to_csv(path, index=False)
            # Both sides read the same file the same way (all columns as text).
            same = pd.read_csv(path, dtype=str)
            ours = ours_on(same, QUASI_IDENTIFIERS, SENSITIVE)
            python = ensure_peer()
            print(f"running pycanon on {peer_rows:,} rows ...", file=sys.stderr)
            env = {**os.environ, "PYTHONWARNINGS": "ignore"}
            peer: dict[str, list[float] | None] = {}
            for m in ("k", "l", "t"):
                try:
                    result = subprocess.run(
                        [str(python), "-c", PEER_SCRIPT, str(path), json.dumps(QUASI_IDENTIFIERS), SENSITIVE, m],
                        capture_output=True,
                        text=True,
                        check=True,
                        env=env,
                        timeout=args.peer_timeout,
                    )
                    peer[m] = json.loads(result.stdout.strip().splitlines()[-1])
                except subprocess.TimeoutExpired:
                    peer[m] = None  # reported as a lower bound on the ratio
        agree = all(abs(ours[m][1] - v[1]) < 1e-9 for m in ("k", "l", "t") if (v := peer[m]) is not None)
        for m in ("k", "l", "t"):
            measured = peer[m]
            if measured is None:
                print(f"{m}: ours {ours[m][0]:.4f}s pycanon > {args.peer_timeout}s (stopped)", file=sys.stderr)
                fields[f"{m}_ratio"] = f">={args.peer_timeout / max(ours[m][0], 1e-9):.1f}"
                continue
            print(
                f"{m}: ours {ours[m][0]:.4f}s pycanon {measured[0]:.4f}s "
                f"value ours {ours[m][1]:.6g} pycanon {measured[1]:.6g}",
                file=sys.stderr,
            )
            fields[f"{m}_ratio"] = round(measured[0] / max(ours[m][0], 1e-9), 1)
        fields["peer_rows"] = peer_rows
        t_peer = peer["t"]
        fields["pycanon_t_seconds"] = round(t_peer[0], 3) if t_peer else f">{args.peer_timeout}"
        fields["ours_t_seconds"] = round(ours["t"][0], 4)
        fields["agree"] = str(agree).lower()
    print(" ".join(f"{k}={v}" for k, v in fields.items()))


if __name__ == "__main__":
    main()
