"""Benchmark: disclosure checks of export_review against ACRO on the same outputs.

Runs the same crosstabs (frequency and magnitude) and regressions through
``export_review.OutputSession`` and through ACRO (``pip install acro``, in its
own virtual environment ``benchmarks/.venvs/acro`` created on first use, since
ACRO pins its own pandas/numpy), both configured with the same thresholds:
minimum count 10, dominance (2, 90%), p-ratio 10%, residual dof 10, missing
values checked, zeros disclosive.

It reports the time ratio and the share of outputs on which the verdicts
agree, per family of rules ACRO implements:

* ``threshold``: ours MinimumCellCount or ZeroCells; ACRO MinimumThresholdCheck
  or PresenceOfZeroCheck (ACRO counts a zero cell as below the threshold).
* ``dominance``: ours DominanceRule, PRatioRule or NegativeValues; ACRO NKCheck
  or PPercentCheck (both say "review" on negative contributions).
* ``missing``: ours MissingValues; ACRO MissingCheck.
* ``dof``: ours ResidualDegreesOfFreedom; ACRO MinimumDoFCheck.

A family agrees when both flag it (fail or review) or neither does; an output
agrees when all its families agree. Exact-status agreement (fail vs review vs
pass per family) is reported as well.

Usage::

    python benchmarks/export_checks.py            # 1,000 crosstabs, 100 regressions
    python benchmarks/export_checks.py --quick    # 40 crosstabs, 4 regressions (CI)

The last line printed is one line of ``name=value`` pairs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "benchmarks" / ".venvs" / "acro"
sys.path.insert(0, str(ROOT))

FAMILIES = {
    "threshold": ({"MinimumCellCount", "ZeroCells"},
                  {"MinimumThresholdCheck", "PresenceOfZeroCheck"}),
    "dominance": ({"DominanceRule", "PRatioRule", "NegativeValues"},
                  {"NKCheck", "PPercentCheck"}),
    "missing": ({"MissingValues"}, {"MissingCheck"}),
    "dof": ({"ResidualDegreesOfFreedom"}, {"MinimumDoFCheck"}),
}
SEVERITY = {"pass": 0, "review": 1, "fail": 2}

ACRO_RUNNER = r'''
import contextlib, io, json, logging, sys, time, warnings
import pandas as pd
import acro

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")
data_path, spec_path, out_path = sys.argv[1:4]
data = pd.read_csv(data_path)
specs = json.load(open(spec_path))
sink = io.StringIO()
with contextlib.redirect_stdout(sink):
    # ACRO 1.0.2 raises on frequency crosstabs when check_missing_values is on
    # (it looks for a values column), so frequency tables use a twin config
    # that differs only in that switch; they have no measured variable anyway.
    measured = acro.ACRO(config="bench_export", suppress=False)
    frequency = acro.ACRO(config="bench_export_freq", suppress=False)
results = []
start = time.perf_counter()
with contextlib.redirect_stdout(sink):
    for spec in specs:
        # Models also need the twin: with missing-value checks on, ACRO 1.0.2
        # raises KeyError('missing') on regressions.
        session = measured if spec["kind"] == "crosstab" and spec["values"] else frequency
        sub = data.iloc[: spec["n"]]
        before = session.results.output_id
        try:
            if spec["kind"] == "crosstab":
                values = sub[spec["values"]] if spec["values"] else None
                session.crosstab(sub[spec["index"]], sub[spec["columns"]], values=values,
                                 aggfunc=spec["aggfunc"] if spec["values"] else None)
            else:
                method = {"ols": session.olsr, "logit": session.logitr,
                          "probit": session.probitr}
                method[spec["method"]](spec["formula"], data=sub)
        except Exception as exc:  # ACRO raising on an output is itself a result to report
            results.append({"status": "error", "checks": {}, "error": type(exc).__name__ + ": " + str(exc)[:80]})
            continue
        if session.results.output_id == before:
            results.append({"status": "error", "checks": {}, "error": "no output recorded"})
            continue
        record = session.results.results[f"output_{session.results.output_id - 1}"]
        results.append({"status": record.status,
                        "checks": dict(record.fair.get("check_status", {}))})
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "results": results}, open(out_path, "w"))
'''


def ensure_acro_venv() -> Path:
    """Create the ACRO venv and install ACRO on first use; write the shared config."""
    python = VENV / "bin" / "python"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    ignore = VENV.parent / ".gitignore"
    if not ignore.exists():
        # Keep the peer's venv out of git without touching the shared .gitignore.
        ignore.write_text("*\n", encoding="utf-8")
    # find_spec locates ACRO without importing it (importing takes seconds).
    locate = ("import importlib.util, os; spec = importlib.util.find_spec('acro'); "
              "print(os.path.dirname(spec.origin) if spec else '')")
    found = subprocess.run([str(python), "-c", locate], capture_output=True, text=True
                           ) if python.exists() else None
    if found is None or found.returncode != 0 or not found.stdout.strip():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "acro"], check=True)
        found = subprocess.run([str(python), "-c", locate], capture_output=True, text=True,
                               check=True)
    package_dir = found.stdout.strip()
    import yaml

    config = yaml.safe_load((Path(package_dir) / "default.yaml").read_text(encoding="utf-8"))
    config.update({"safe_threshold": 10, "safe_dof_threshold": 10, "safe_nk_n": 2,
                   "safe_nk_k": 0.9, "safe_pratio_p": 0.1, "check_missing_values": True,
                   "zeros_are_disclosive": True})
    (Path(package_dir) / "bench_export.yaml").write_text(yaml.safe_dump(config),
                                                         encoding="utf-8")
    config["check_missing_values"] = False
    (Path(package_dir) / "bench_export_freq.yaml").write_text(yaml.safe_dump(config),
                                                              encoding="utf-8")
    return python


def make_data(rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """Synthetic analysis data: categories with rare levels, skewed and signed amounts."""
    frame = pd.DataFrame({
        "pid": [f"P{i:07d}" for i in range(rows)],
        "sex": rng.choice(["F", "M"], rows),
        "region": rng.choice(["Seoul", "Busan", "Daegu", "Gwangju", "Jeju"], rows,
                             p=[0.45, 0.25, 0.15, 0.12, 0.03]),
        "age_band": rng.choice(["20s", "30s", "40s", "50s", "60s", "70+"], rows),
        "insurance": rng.choice(["employee", "regional", "aid"], rows, p=[0.6, 0.35, 0.05]),
        "age": rng.integers(20, 90, rows),
        # Heavy-tailed costs make some small cells dominated by one or two people.
        "cost": np.round(rng.lognormal(10, 1.6, rows), 2),
    })
    frame["balance"] = np.where(rng.random(rows) < 0.01, -frame["cost"] / 10, frame["cost"])
    frame["cost_missing"] = np.where(rng.random(rows) < 0.01, np.nan, frame["cost"])
    frame["y"] = (rng.random(rows) < 1 / (1 + np.exp(-(frame["age"] - 55) / 15))).astype(int)
    return frame


def make_specs(crosstabs: int, regressions: int, rows: int,
               rng: np.random.Generator) -> list[dict[str, Any]]:
    """Describe every output once, so both tools run exactly the same ones."""
    categorical = ["sex", "region", "age_band", "insurance"]
    specs: list[dict[str, Any]] = []
    for _ in range(crosstabs):
        index, columns = rng.choice(categorical, 2, replace=False)
        n = int(np.exp(rng.uniform(np.log(40), np.log(rows))))
        magnitude = rng.random() < 0.5
        specs.append({
            "kind": "crosstab", "n": n, "index": str(index), "columns": str(columns),
            "values": str(rng.choice(["cost", "balance", "cost_missing"])) if magnitude else None,
            "aggfunc": str(rng.choice(["mean", "sum"])) if magnitude else None,
        })
    formulas = {"ols": "cost ~ age + C(sex)", "logit": "y ~ age", "probit": "y ~ age"}
    for i in range(regressions):
        method = ("ols", "logit", "probit")[i % 3]
        n = int(np.exp(rng.uniform(np.log(6), np.log(rows / 4))))
        specs.append({"kind": "model", "n": max(n, 6), "method": method,
                      "formula": formulas[method]})
    return specs


def run_ours(data: pd.DataFrame, specs: list[dict[str, Any]]) -> dict[str, Any]:
    """Make and check every output with export_review; time the whole loop."""
    # ACRO imports statsmodels when it is imported; do the same before timing.
    import statsmodels.formula.api  # noqa: F401

    from export_review import OutputSession, default_policy

    session = OutputSession(policy=default_policy(), record_id="pid", echo=None)
    results = []
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, spec in enumerate(specs):
            sub = data.iloc[: spec["n"]]
            name = f"o{i}"
            if spec["kind"] == "crosstab":
                session.crosstab(sub, spec["index"], spec["columns"], values=spec["values"],
                                 aggfunc=spec["aggfunc"] or "count", margins=False, name=name)
            else:
                getattr(session, spec["method"])(spec["formula"], sub, name=name)
            output = session.get(name)
            results.append({"checks": {r.rule: r.status for r in output.local_results}})
    return {"seconds": time.perf_counter() - start, "results": results}


def family_status(checks: dict[str, str], names: set[str]) -> str | None:
    """Return the most severe status among a family's rules, or None if none ran."""
    present = [checks[n] for n in names if n in checks]
    if not present:
        return None
    return max(present, key=lambda s: SEVERITY.get(s.lower(), 2)).lower()


def compare(ours: list[dict[str, Any]], acro: list[dict[str, Any]]
            ) -> tuple[float, float, float, dict[str, float], list[str]]:
    """Compare verdicts per family; see the module docstring."""
    agree = exact = compared = adjusted = 0
    family_agree = {f: [0, 0] for f in FAMILIES}
    examples: list[str] = []
    for i, (mine, theirs) in enumerate(zip(ours, acro, strict=True)):
        output_agrees = output_exact = output_agrees_adjusted = True
        if theirs["status"] == "error":
            continue  # counted as acro_errors; there is no ACRO verdict to compare
        compared += 1
        for family, (our_rules, acro_rules) in FAMILIES.items():
            a = family_status(mine["checks"], our_rules)
            b = family_status(theirs["checks"], acro_rules)
            if a is None and b is None:
                continue
            flagged_a, flagged_b = (a or "pass") != "pass", (b or "pass") != "pass"
            family_agree[family][1] += 1
            if flagged_a == flagged_b:
                family_agree[family][0] += 1
            else:
                output_agrees = False
                # ACRO builds its missing-value table with pd.crosstab, which gives
                # NaN for an empty cell, and then counts that NaN as "missing".
                # We report an empty cell through ZeroCells instead.
                if not (family == "missing" and flagged_b
                        and mine["checks"].get("ZeroCells", "pass") != "pass"):
                    output_agrees_adjusted = False
                if len(examples) < 8:
                    examples.append(f"output {i}: {family} ours={a} acro={b}")
            if (a or "pass") != (b or "pass"):
                output_exact = False
        agree += output_agrees
        exact += output_exact
        adjusted += output_agrees_adjusted
    shares = {f: (ok / total if total else 1.0) for f, (ok, total) in family_agree.items()}
    compared = max(compared, 1)
    return agree / compared, exact / compared, adjusted / compared, shares, examples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="40 crosstabs and 4 regressions (for CI: ACRO is slow)")
    parser.add_argument("--rows", type=int, default=5000, help="rows of synthetic data")
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    crosstabs, regressions = (40, 4) if args.quick else (1000, 100)
    rng = np.random.default_rng(args.seed)
    data = make_data(args.rows, rng)
    specs = make_specs(crosstabs, regressions, args.rows, rng)

    python = ensure_acro_venv()
    with tempfile.TemporaryDirectory() as folder:
        data_path = Path(folder) / "data.csv"
        spec_path = Path(folder) / "specs.json"
        out_path = Path(folder) / "acro.json"
        runner = Path(folder) / "acro_runner.py"
        data.to_csv(data_path, index=False)
        spec_path.write_text(json.dumps(specs), encoding="utf-8")
        runner.write_text(ACRO_RUNNER, encoding="utf-8")
        # Read back through CSV so both tools see identical values and dtypes.
        data = pd.read_csv(data_path)
        ours = run_ours(data, specs)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        subprocess.run([str(python), str(runner), str(data_path), str(spec_path),
                        str(out_path)], check=True, env=env)
        acro = json.loads(out_path.read_text(encoding="utf-8"))

    errors = [r for r in acro["results"] if r["status"] == "error"]
    for failure in errors[:3]:
        print("  ACRO raised:", failure["error"])
    agreement, exact, adjusted, shares, examples = compare(ours["results"], acro["results"])
    flagged = sum(any(s != "pass" for s in r["checks"].values()) for r in ours["results"])
    print(f"outputs: {len(specs)} ({crosstabs} crosstabs, {regressions} regressions); "
          f"flagged by us: {flagged}")
    print(f"export_review: {ours['seconds']:.2f} s   ACRO: {acro['seconds']:.2f} s")
    for line in examples:
        print("  disagreement:", line)
    pairs = {
        "crosstabs": crosstabs, "regressions": regressions, "rows": args.rows,
        "ours_seconds": f"{ours['seconds']:.3f}", "acro_seconds": f"{acro['seconds']:.3f}",
        "speed_ratio_acro_over_ours": f"{acro['seconds'] / ours['seconds']:.2f}",
        "acro_errors": len(errors), "agreement": f"{agreement:.4f}",
        "agreement_without_acro_empty_cell_missing": f"{adjusted:.4f}", "exact_status_agreement": f"{exact:.4f}",
        **{f"agreement_{f}": f"{v:.4f}" for f, v in shares.items()},
    }
    print(" ".join(f"{k}={v}" for k, v in pairs.items()))


if __name__ == "__main__":
    main()
