"""Benchmark linkage quality: precision and recall against the generator's ground truth.

For each corruption level (low, medium, high) the script generates synthetic
persons across the three demo agencies (welfare, health, employment), runs
the real pipeline — ``prepare_submission`` for each agency, then
``link_submissions`` — and scores the linkage map on cross-agency record pairs
with :func:`linkage.score_linkage`. Deterministic one-to-one linkage is
compared in the same run with the brittle common practice the issue starts
from: one exact key of name + birth date + phone (the ``loose_name_birth_phone``
pass alone, still one-to-one).

Target at medium: precision >= 0.999 and recall >= 0.98.
``--quick``: 8,000 persons per level (CI); default 100,000.
The last line is ``name=value`` pairs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from result_line import print_result_line  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
AGENCIES = ("welfare", "health", "employment")


def run_level(level: str, persons: int, seed: int, folder: Path) -> dict[str, float]:
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
    return {
        "precision": ours.precision,
        "recall": ours.recall,
        "false_positives": ours.false_positives,
        "baseline_recall": baseline.recall,
        "records": sum(report.records.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="8,000 persons per level, for CI.")
    parser.add_argument("--persons", type=int, help="Persons per level.")
    args = parser.parse_args()
    persons = args.persons or (8_000 if args.quick else 100_000)
    result: dict[str, object] = {"persons": persons}
    with tempfile.TemporaryDirectory(prefix="quality-bench-") as tmp:
        for seed, level in enumerate(("low", "medium", "high"), start=1):
            scores = run_level(level, persons, seed, Path(tmp))
            result[f"records_{level}"] = scores["records"]
            result[f"precision_{level}"] = scores["precision"]
            result[f"recall_{level}"] = scores["recall"]
            result[f"false_positives_{level}"] = scores["false_positives"]
            result[f"single_key_recall_{level}"] = scores["baseline_recall"]
    result["target_met"] = bool(
        float(result["precision_medium"]) >= 0.999 and float(result["recall_medium"]) >= 0.98  # type: ignore[arg-type]
    )
    print_result_line(result)


if __name__ == "__main__":
    main()
