"""Benchmark linkage quality: precision and recall against the generator's ground truth.

For each corruption level (low, medium, high) the script generates synthetic
persons across the three demo agencies (welfare, health, employment), runs
the real pipeline — ``prepare_submission`` for each agency, then
``link_submissions`` — and scores the linkage map on cross-agency record pairs
with :func:`linkage.score_linkage`. Deterministic one-to-one linkage is
compared in the same run with

* Splink 5 on DuckDB given the same match keys and the same deterministic
  rules (``block_on`` each pass, then connected components) — its own venv
  under ``benchmarks/.venvs/splink``, shared with ``link.py``; it links every
  rule match transitively, without the one-to-one rule;
* the brittle common practice the issue starts from: one exact key of
  name + birth date + phone (the ``loose_name_birth_phone`` pass alone).

Target at medium: precision >= 0.999 and recall >= 0.98, judged at 100,000
persons per level (``target_met`` is ``n/a`` below that).

A second scenario drops 주민등록번호 from every agency and corrupts at the high
level: it prints recall and precision of the exact passes alone, of the exact
passes followed by the probabilistic pass over keyed Bloom filters, and of
Splink's own probabilistic linkage on the plaintext fields, side by side, with
the recall ceiling that duplicates inside an agency put on any one-to-one
linkage. Target: recall >= 0.99 at precision >= 0.999, judged at the same size
(``no_rrn_target_met`` is ``n/a`` below it).
``--quick``: 8,000 persons per level (CI); default 100,000.
The last line is ``name=value`` pairs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from result_line import judge_target, print_result_line  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
AGENCIES = ("welfare", "health", "employment")
TARGET_PERSONS = 100_000  # per level: the size the target is defined for

SPLINK = r"""
import json, logging, sys, time
import pyarrow as pa, pyarrow.parquet as pq
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
out, passes, inputs = sys.argv[1], sys.argv[2].split(","), sys.argv[3:]
tables = []
for path in inputs:
    t = pq.read_table(path)
    cols = {"unique_id": t.column("serial")}
    for name in passes:
        cols["mk_" + name] = pa.array(
            [None if v is None else v.hex() for v in t.column("mk_" + name).to_pylist()], pa.string())
    tables.append(pa.table(cols))
start = time.perf_counter()
db_api = DuckDBAPI()
names = [p.rsplit("/", 1)[-1].split(".")[0] for p in inputs]
dfs = [db_api.register(t, dataset_display_name=n) for t, n in zip(tables, names)]
settings = SettingsCreator(link_type="link_only",
                           blocking_rules_to_generate_predictions=[block_on("mk_" + p) for p in passes],
                           comparisons=[])
linker = Linker(dfs, settings, log_level=logging.WARNING)
pairs = linker.inference.deterministic_link()
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs)
frame = clusters.as_duckdbpyrelation().select("source_dataset, unique_id, cluster_id").to_arrow_table()
seconds = time.perf_counter() - start
pq.write_table(frame, out)
print(json.dumps({"seconds": seconds}))
"""

# Splink's own probabilistic linkage on the plaintext match fields (what a
# linker that may see the identifiers does): Jaro-Winkler on the name,
# Levenshtein on birth date and phone, exact sex and 시군구; u from random
# pairs, m by EM, clusters at match probability 0.5.
SPLINK_PROBABILISTIC = r"""
import json, logging, sys, time
import pyarrow.parquet as pq
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
out, inputs = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
db_api = DuckDBAPI()
names = [p.rsplit("/", 1)[-1].split(".")[0] for p in inputs]
dfs = [db_api.register(pq.read_table(p), dataset_display_name=n) for p, n in zip(inputs, names)]
blocking = [block_on("birth_date"), block_on("phone"), block_on("full_name_loose", "birth_year"),
            block_on("full_name_loose", "region"), block_on("name_tokens", "sex")]
settings = SettingsCreator(
    link_type="link_only",
    blocking_rules_to_generate_predictions=blocking,
    comparisons=[
        cl.JaroWinklerAtThresholds("full_name_loose", [0.92, 0.8]),
        cl.LevenshteinAtThresholds("birth_date", [1, 2]),
        cl.ExactMatch("sex"),
        cl.LevenshteinAtThresholds("phone", [1, 2]),
        cl.ExactMatch("region"),
    ],
)
linker = Linker(dfs, settings, log_level=logging.WARNING)
linker.training.estimate_probability_two_random_records_match(
    [block_on("full_name_loose", "birth_date")], recall=0.8)
linker.training.estimate_u_using_random_sampling(max_pairs=2e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name_loose"))
pairs = linker.inference.predict(threshold_match_probability=0.5)
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pairs, 0.5)
frame = clusters.as_duckdbpyrelation().select("source_dataset, unique_id, cluster_id").to_arrow_table()
seconds = time.perf_counter() - start
pq.write_table(frame, out)
print(json.dumps({"seconds": seconds}))
"""
PLAINTEXT_FIELDS = ("full_name_loose", "birth_date", "birth_year", "sex", "phone", "region", "name_tokens")


def run_without_rrn(
    persons: int, seed: int, folder: Path, splink_python: Path | None
) -> dict[str, float]:
    """High corruption, no agency holding 주민등록번호: exact-only vs exact + probabilistic vs Splink on plaintext."""
    import dataclasses

    import pyarrow as pa
    import pyarrow.parquet as pq

    from linkage import (
        MatchKeySubmission,
        derive_match_fields,
        generate_agency_data,
        generate_party_keys,
        link_match_keys,
        load_identifier_policies,
        open_package,
        prepare_submission,
        score_linkage,
        write_synthetic_data,
    )

    policies = load_identifier_policies(REPO / "policies" / "identifiers")
    data = generate_agency_data(persons, corruption="high", seed=seed)
    data = dataclasses.replace(
        data, tables={a: t.drop(columns=[c for c in ("rrn",) if c in t]) for a, t in data.tables.items()}
    )
    folder = (folder / "no_rrn").resolve()
    paths = write_synthetic_data(data, folder)
    keys = {n: generate_party_keys(n) for n in (*AGENCIES, "linkage-unit", "enclave")}
    signers = {a: keys[a].signing_public for a in AGENCIES}
    tables, order, plaintext = {}, {}, []
    for agency in AGENCIES:
        schema = policies.schema(agency)
        schema = dataclasses.replace(schema, identifiers=tuple(c for c in schema.identifiers if c.kind != "rrn"))
        prepared = prepare_submission(
            paths[agency], agency=agency, schema=schema, scheme=policies.scheme,
            project_id="quality", key_id="k1", linkage_secret=bytes(32), signer=keys[agency].signing,
            linkage_unit_public=keys["linkage-unit"].sealing_public,
            enclave_public=keys["enclave"].sealing_public, workers=2,
        )
        table = open_package(prepared.match_keys_package, keys["linkage-unit"].sealing, signers).table()
        tables[agency] = table
        order[agency] = table.column("serial").to_numpy()
        if splink_python is not None:
            fields = derive_match_fields(data.tables[agency], schema).fields
            frame = pa.table({"unique_id": order[agency],
                              **{f: pa.array(fields[f], pa.string(), from_pandas=True) for f in PLAINTEXT_FIELDS}})
            path = folder / f"{agency}.parquet"
            pq.write_table(frame, path)
            plaintext.append(str(path))
    subs = [MatchKeySubmission(a, t) for a, t in tables.items()]
    passes = list(policies.scheme.pass_names)
    started = time.perf_counter()
    exact_map, _ = link_match_keys(subs, passes)
    exact_seconds = time.perf_counter() - started
    started = time.perf_counter()
    both_map, report = link_match_keys(subs, passes, probabilistic=policies.scheme.probabilistic)
    both_seconds = time.perf_counter() - started
    exact = score_linkage(exact_map.table, order, data.truth)
    both = score_linkage(both_map.table, order, data.truth)
    ceiling = one_to_one_ceiling(data.truth)
    result = {
        "exact_recall": exact.recall, "exact_precision": exact.precision, "exact_seconds": exact_seconds,
        "pprl_recall": both.recall, "pprl_precision": both.precision, "pprl_seconds": both_seconds,
        "one_to_one_ceiling": ceiling, "review_pairs": report.passes[-1].review_pairs,
    }
    if splink_python is not None:
        import json
        import subprocess

        import pandas as pd

        out = folder / "splink_probabilistic.parquet"
        proc = subprocess.run([str(splink_python), "-c", SPLINK_PROBABILISTIC, str(out), *plaintext],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr[-3000:], file=sys.stderr)
            proc.check_returncode()
        frame = pd.read_parquet(out)
        peer_map = pa.table({
            "agency": frame["source_dataset"].astype(str),
            "serial": frame["unique_id"].astype("int64"),
            "link_id": pd.factorize(frame["cluster_id"])[0].astype("int64"),
        })
        peer = score_linkage(peer_map, order, data.truth)
        result.update({"splink_recall": peer.recall, "splink_precision": peer.precision,
                       "splink_seconds": json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]})
    print("no-RRN, high corruption:", file=sys.stderr)
    print(f"  {'linker':<32}{'recall':>9}{'precision':>11}", file=sys.stderr)
    rows = [("exact passes only (keyed)", "exact"), ("exact + probabilistic (keyed)", "pprl"),
            ("Splink on plaintext", "splink")]
    for label, key in rows:
        if f"{key}_recall" in result:
            print(f"  {label:<32}{result[f'{key}_recall']:>9.4f}{result[f'{key}_precision']:>11.4f}",
                  file=sys.stderr)
    print(f"  one-to-one ceiling on recall (duplicates inside an agency): {ceiling:.4f}", file=sys.stderr)
    for p in report.passes:
        print(f"    {p.kind:<14}{p.name:<32} records linked {p.records_linked}", file=sys.stderr)
    return result


def one_to_one_ceiling(truth: Any) -> float:
    """Return the best recall any one-to-one linkage can reach: duplicates inside an agency cap it."""
    counts = truth.groupby(["person", "agency"]).size().unstack(fill_value=0)
    total = best = 0
    columns = list(counts.columns)
    for i, a in enumerate(columns):
        for b in columns[i + 1 :]:
            total += int((counts[a] * counts[b]).sum())
            best += int(counts[[a, b]].min(axis=1).sum())
    return best / total if total else 1.0


def run_level(
    level: str, persons: int, seed: int, folder: Path, splink_python: Path | None
) -> dict[str, float]:
    """Generate, prepare, link and score one corruption level."""
    from linkage import (
        MatchKeySubmission,
        generate_agency_data,
        generate_party_keys,
        link_match_keys,
        link_submissions,
        load_identifier_policies,
        open_package,
        prepare_submission,
        score_linkage,
        write_synthetic_data,
    )

    policies = load_identifier_policies(REPO / "policies" / "identifiers")
    data = generate_agency_data(persons, corruption=level, seed=seed)
    paths = write_synthetic_data(data, folder / level)
    folder = folder.resolve()
    keys = {n: generate_party_keys(n) for n in (*AGENCIES, "linkage-unit", "enclave")}
    signers = {a: keys[a].signing_public for a in AGENCIES}
    packages, order, tables = [], {}, {}
    for agency in AGENCIES:
        prepared = prepare_submission(
            paths[agency], agency=agency, schema=policies.schema(agency), scheme=policies.scheme,
            project_id="quality", key_id="k1", linkage_secret=bytes(32), signer=keys[agency].signing,
            linkage_unit_public=keys["linkage-unit"].sealing_public,
            enclave_public=keys["enclave"].sealing_public, workers=2,
        )
        packages.append(prepared.match_keys_package)
        table = open_package(prepared.match_keys_package, keys["linkage-unit"].sealing, signers).table()
        order[agency] = table.column("serial").to_numpy()
        tables[agency] = table
    started = time.perf_counter()
    linkage_map, report = link_submissions(
        packages, recipient_private=keys["linkage-unit"].sealing, trusted_signers=signers,
        scheme=policies.scheme,
    )
    link_seconds = time.perf_counter() - started
    ours = score_linkage(linkage_map.table, order, data.truth)
    # Baseline: a single exact key of name + birth date + phone.
    baseline_map, _ = link_match_keys(
        [MatchKeySubmission(a, t) for a, t in tables.items()], ["loose_name_birth_phone"]
    )
    baseline = score_linkage(baseline_map.table, order, data.truth)
    print(f"{level}: ours {ours.to_dict()} single-key {baseline.to_dict()} "
          f"ambiguous={sum(p.ambiguous for p in report.passes)} link {link_seconds:.1f} s", file=sys.stderr)
    result = {
        "precision": ours.precision,
        "recall": ours.recall,
        "false_positives": ours.false_positives,
        "baseline_recall": baseline.recall,
        "records": sum(report.records.values()),
        "link_seconds": link_seconds,
    }
    if splink_python is not None:
        splink = run_splink(splink_python, tables, list(policies.scheme.pass_names), folder / level)
        peer = score_linkage(splink["map"], order, data.truth)
        print(f"{level}: splink {peer.to_dict()} in {splink['seconds']:.1f} s", file=sys.stderr)
        result.update({"splink_precision": peer.precision, "splink_recall": peer.recall,
                       "splink_false_positives": peer.false_positives, "splink_seconds": splink["seconds"]})
    return result


def run_splink(python: Path, tables: dict, passes: list[str], folder: Path) -> dict:
    """Link the same match-key tables with Splink's deterministic rules; return its map."""
    import json
    import subprocess

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    inputs = []
    for agency, table in tables.items():
        path = folder / f"{agency}.keys.parquet"
        pq.write_table(table, path)
        inputs.append(str(path))
    out = folder / "splink_clusters.parquet"
    proc = subprocess.run([str(python), "-c", SPLINK, str(out), ",".join(passes), *inputs],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        proc.check_returncode()
    seconds = json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]
    frame = pd.read_parquet(out)
    linkage_map = pa.table({
        "agency": frame["source_dataset"].astype(str),
        "serial": frame["unique_id"].astype("int64"),
        "link_id": pd.factorize(frame["cluster_id"])[0].astype("int64"),
    })
    return {"map": linkage_map, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8,000 persons per level, for CI.")
    parser.add_argument("--persons", type=int, help="Persons per level.")
    parser.add_argument("--no-peer", action="store_true", help="Skip Splink.")
    args = parser.parse_args()
    persons = args.persons or (8_000 if args.quick else TARGET_PERSONS)
    result: dict[str, object] = {"persons": persons}
    from link import ensure_splink

    splink_python = None if args.no_peer else ensure_splink()
    with tempfile.TemporaryDirectory(prefix="quality-bench-") as tmp:
        for seed, level in enumerate(("low", "medium", "high"), start=1):
            scores = run_level(level, persons, seed, Path(tmp), splink_python)
            result[f"records_{level}"] = scores["records"]
            result[f"precision_{level}"] = scores["precision"]
            result[f"recall_{level}"] = scores["recall"]
            result[f"false_positives_{level}"] = scores["false_positives"]
            result[f"single_key_recall_{level}"] = scores["baseline_recall"]
            if "splink_precision" in scores:
                result[f"splink_precision_{level}"] = scores["splink_precision"]
                result[f"splink_recall_{level}"] = scores["splink_recall"]
                result[f"splink_false_positives_{level}"] = scores["splink_false_positives"]
    result["target_met"] = judge_target(
        float(result["precision_medium"]) >= 0.999 and float(result["recall_medium"]) >= 0.98,  # type: ignore[arg-type]
        persons, TARGET_PERSONS,
    )
    with tempfile.TemporaryDirectory(prefix="quality-bench-") as tmp:
        no_rrn = run_without_rrn(persons, 4, Path(tmp), splink_python)
    for name, value in no_rrn.items():
        result[f"no_rrn_{name}"] = value
    # The no-RRN target (recall >= 0.99 at precision >= 0.999) is judged only
    # at the full size: 8,000 persons say too little about a 0.1% error rate.
    result["no_rrn_target_met"] = judge_target(
        bool(no_rrn["pprl_recall"] >= 0.99 and no_rrn["pprl_precision"] >= 0.999), persons, TARGET_PERSONS
    )
    print_result_line(result)


if __name__ == "__main__":
    main()
