"""The probabilistic pass end to end: synthetic agencies without 주민등록번호, at high corruption."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from linkage import (
    IdentifierPolicies,
    LinkageAccuracy,
    MatchKeySubmission,
    PartyKeys,
    QualityReport,
    generate_agency_data,
    link_match_keys,
    open_package,
    prepare_submission,
    score_linkage,
    write_synthetic_data,
)
from linkage.linkage_map import LinkageMap
from linkage.linkage_unit import PROBABILISTIC_PASS

AGENCIES = ("welfare", "health", "employment")


@pytest.fixture(scope="module")
def no_rrn_run(
    tmp_path_factory: pytest.TempPathFactory,
    policies: IdentifierPolicies,
    parties: dict[str, PartyKeys],
    signers: dict,
    secret: bytes,
) -> dict:
    """Prepare 2,500 persons without any RRN column, and link them with and without the probabilistic pass."""
    data = generate_agency_data(2_500, corruption="high", seed=29)
    tables = {a: t.drop(columns=[c for c in ("rrn",) if c in t]) for a, t in data.tables.items()}
    data = dataclasses.replace(data, tables=tables)
    paths = write_synthetic_data(data, tmp_path_factory.mktemp("no-rrn"))
    keys: dict[str, pa.Table] = {}
    for agency in AGENCIES:
        schema = policies.schema(agency)
        schema = dataclasses.replace(schema, identifiers=tuple(c for c in schema.identifiers if c.kind != "rrn"))
        prepared = prepare_submission(
            paths[agency], agency=agency, schema=schema, scheme=policies.scheme, project_id="p-test",
            key_id="k1", linkage_secret=secret, signer=parties[agency].signing,
            linkage_unit_public=parties["linkage-unit"].sealing_public,
            enclave_public=parties["enclave"].sealing_public,
        )
        keys[agency] = open_package(prepared.match_keys_package, parties["linkage-unit"].sealing, signers).table()
    order = {a: t.column("serial").to_numpy() for a, t in keys.items()}
    subs = [MatchKeySubmission(a, t) for a, t in keys.items()]
    passes = list(policies.scheme.pass_names)
    exact = link_match_keys(subs, passes)
    both = link_match_keys(subs, passes, probabilistic=policies.scheme.probabilistic)
    return {"data": data, "order": order, "exact": exact, "both": both}


def _score(run: dict, which: str) -> LinkageAccuracy:
    linkage_map: LinkageMap = run[which][0]
    return score_linkage(linkage_map.table, run["order"], run["data"].truth)


def test_probabilistic_pass_finds_links_the_exact_hierarchy_misses_without_rrn(no_rrn_run: dict) -> None:
    exact, both = _score(no_rrn_run, "exact"), _score(no_rrn_run, "both")
    assert both.recall >= exact.recall + 0.05
    assert both.precision >= 0.99


def test_records_linked_exactly_keep_their_exact_links(no_rrn_run: dict) -> None:
    exact_map: pa.Table = no_rrn_run["exact"][0].table.sort_by([("agency", "ascending"), ("serial", "ascending")])
    both_map: pa.Table = no_rrn_run["both"][0].table.sort_by([("agency", "ascending"), ("serial", "ascending")])
    linked_exactly = pc.is_valid(exact_map.column("link_pass")).to_numpy(zero_copy_only=False)
    assert (
        np.asarray(exact_map.column("link_pass").to_pylist(), dtype=object)[linked_exactly]
        == np.asarray(both_map.column("link_pass").to_pylist(), dtype=object)[linked_exactly]
    ).all()


def test_quality_report_counts_links_by_pass_kind_and_pairs_for_review(no_rrn_run: dict) -> None:
    linkage_map: LinkageMap = no_rrn_run["both"][0]
    report: QualityReport = no_rrn_run["both"][1]
    last = report.passes[-1]
    assert last.name == PROBABILISTIC_PASS and last.kind == "probabilistic"
    assert all(p.kind == "exact" for p in report.passes[:-1])
    by_kind = report.links_by_kind()
    assert by_kind["probabilistic"] == last.records_linked > 0
    in_map = pc.sum(pc.equal(linkage_map.table.column("link_pass"), PROBABILISTIC_PASS)).as_py()
    assert in_map == by_kind["probabilistic"]
    assert last.candidate_pairs >= last.links
    assert last.review_pairs >= 0
    assert {(m["agency_a"], m["agency_b"]) for m in report.models} == {
        ("employment", "health"), ("employment", "welfare"), ("health", "welfare")
    }
    again = QualityReport.from_dict(report.to_dict())
    assert again.passes[-1] == last
    assert "probabilistic" in report.to_text()


def test_a_cluster_never_takes_two_records_of_one_agency(no_rrn_run: dict) -> None:
    table: pa.Table = no_rrn_run["both"][0].table
    counts = table.group_by(["link_id", "agency"]).aggregate([("serial", "count")])
    assert pc.max(counts.column("serial_count")).as_py() == 1


def test_report_figures_hold_no_record_values(no_rrn_run: dict, tmp_path: Path) -> None:
    report: QualityReport = no_rrn_run["both"][1]
    dumped = report.to_json()
    for frame in no_rrn_run["data"].tables.values():
        for value in frame["phone"].astype(str).head(200):
            if value:
                assert value not in dumped


def test_linkage_unit_without_policy_files_runs_the_pass_the_manifests_declare(
    prepared: dict, parties: dict[str, PartyKeys], signers: dict, policies: IdentifierPolicies
) -> None:
    from linkage import link_submissions

    packages = [prepared[a].match_keys_package for a in AGENCIES]
    _, report = link_submissions(
        packages, recipient_private=parties["linkage-unit"].sealing, trusted_signers=signers
    )
    assert report.passes[-1].kind == "probabilistic"
    assert [p.name for p in report.passes[:-1]] == list(policies.scheme.pass_names)


def test_packages_declaring_different_probabilistic_sections_are_refused(
    prepared: dict, parties: dict[str, PartyKeys], signers: dict
) -> None:
    from linkage import LinkingError, link_submissions
    from linkage.sealing import OpenedPackage

    opened = [open_package(prepared[a].match_keys_package, parties["linkage-unit"].sealing, signers)
              for a in AGENCIES]
    odd = dataclasses.replace(
        opened[0].manifest, probabilistic={**opened[0].manifest.probabilistic, "accept": 0.95}
    )
    opened[0] = OpenedPackage(manifest=odd, payload=opened[0].payload)
    with pytest.raises(LinkingError, match="probabilistic"):
        link_submissions(opened)
