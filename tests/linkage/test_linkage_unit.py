"""The linkage unit's rules: one-to-one per pass, ambiguity, later passes, transitive clusters."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from linkage import (
    LinkageMap,
    LinkingError,
    MatchKeySubmission,
    QualityReport,
    link_match_keys,
    link_submissions,
    score_linkage,
)
from linkage.linkage_map import LINKAGE_MAP_SCHEMA


def _key(label: str | None) -> bytes | None:
    return None if label is None else label.encode().ljust(16, b".")


def _sub(agency: str, serials: list[int], **passes: list[str | None]) -> MatchKeySubmission:
    columns = {"serial": pa.array(serials, pa.int64())}
    for name, labels in passes.items():
        columns[f"mk_{name}"] = pa.array([_key(v) for v in labels], pa.binary(16))
    return MatchKeySubmission(agency, pa.table(columns))


def _links(linkage_map: LinkageMap) -> dict[tuple[str, int], int]:
    rows = linkage_map.table.to_pylist()
    return {(r["agency"], r["serial"]): r["link_id"] for r in rows}


def _same(links: dict[tuple[str, int], int], *records: tuple[str, int]) -> bool:
    return len({links[r] for r in records}) == 1


def test_unique_keys_link_one_to_one_and_duplicates_stay_unlinked() -> None:
    a = _sub("a", [1, 2, 3, 4], p1=["x", "y", "z", "z"])
    b = _sub("b", [11, 12, 13], p1=["x", "y", "z"])
    linkage_map, report = link_match_keys([a, b], ["p1"])
    links = _links(linkage_map)
    assert _same(links, ("a", 1), ("b", 11)) and _same(links, ("a", 2), ("b", 12))
    assert not _same(links, ("a", 3), ("b", 13)) and not _same(links, ("a", 4), ("b", 13))
    assert report.passes[0].links == 2
    assert report.passes[0].ambiguous_duplicate == 3
    assert linkage_map.linked_records == 4


def test_linked_records_get_no_new_partner_in_later_passes() -> None:
    a = _sub("a", [1, 2], p1=["x", None], p2=["n", "n2"])
    b = _sub("b", [11, 12], p1=["x", None], p2=["n9", "n"])
    linkage_map, report = link_match_keys([a, b], ["p1", "p2"])
    links = _links(linkage_map)
    assert _same(links, ("a", 1), ("b", 11))
    assert not _same(links, ("b", 12), ("a", 1))
    assert report.passes[1].links == 0 and report.passes[1].ambiguous_conflict == 1
    assert linkage_map.table.filter(pc.equal(linkage_map.table["serial"], 1))["link_pass"][0].as_py() == "p1"


def test_strict_pass_wins_over_loose_pass() -> None:
    a = _sub("a", [1, 2], p1=["x", None], p2=["same", "same2"])
    b = _sub("b", [11, 12], p1=["x", None], p2=["other", "same"])
    links = _links(link_match_keys([a, b], ["p1", "p2"])[0])
    assert _same(links, ("a", 1), ("b", 11))
    assert not _same(links, ("a", 2), ("b", 12))


def test_three_agencies_form_transitive_clusters_across_passes() -> None:
    a = _sub("a", [1], p1=["r"], p2=["n"])
    b = _sub("b", [2], p1=["r"], p2=["m"])
    c = _sub("c", [3], p1=[None], p2=["m"])
    linkage_map, report = link_match_keys([a, b, c], ["p1", "p2"])
    links = _links(linkage_map)
    assert _same(links, ("a", 1), ("b", 2), ("c", 3))
    assert report.cluster_sizes == {"3": 1}
    assert {(p.agency_a, p.agency_b): p.linked for p in report.pairs} == {
        ("a", "b"): 1, ("a", "c"): 1, ("b", "c"): 1}


def test_cluster_matching_two_key_values_in_one_pass_links_neither() -> None:
    a = _sub("a", [1], p1=["r"], p2=["n1"])
    b = _sub("b", [2], p1=["r"], p2=["n2"])
    c = _sub("c", [3, 4], p1=[None, None], p2=["n1", "n2"])
    linkage_map, report = link_match_keys([a, b, c], ["p1", "p2"])
    links = _links(linkage_map)
    assert not _same(links, ("a", 1), ("c", 3)) and not _same(links, ("a", 1), ("c", 4))
    assert report.passes[1].ambiguous_multiple == 4


def test_chain_through_two_records_of_one_agency_never_forms() -> None:
    a = _sub("a", [1, 2], p1=["k", "k"])
    b = _sub("b", [3], p1=["k"])
    c = _sub("c", [4], p1=["k"])
    links = _links(link_match_keys([a, b, c], ["p1"])[0])
    assert len(set(links.values())) == 4


@pytest.mark.parametrize(
    ("subs", "message"),
    [
        ([_sub("a", [1], p1=["x"])], "at least two agencies"),
        ([_sub("a", [1], p1=["x"]), _sub("a", [2], p1=["x"])], "Two match-key packages"),
        ([_sub("a", [1, 1], p1=["x", "y"]), _sub("b", [2], p1=["x"])], "repeats 1 serial"),
        ([_sub("a", [1], p1=["x"]), _sub("b", [2], p2=["x"])], "lacks the columns mk_p1"),
    ],
)
def test_inputs_that_cannot_be_linked_are_refused(subs: list[MatchKeySubmission], message: str) -> None:
    with pytest.raises(LinkingError, match=message):
        link_match_keys(subs, ["p1"])


def test_link_ids_are_random_and_the_map_has_the_documented_schema() -> None:
    subs = [_sub("a", [1, 2], p1=["x", "y"]), _sub("b", [3, 4], p1=["x", "y"])]
    first = link_match_keys(subs, ["p1"])[0]
    second = link_match_keys(subs, ["p1"])[0]
    assert first.table.schema == LINKAGE_MAP_SCHEMA
    assert set(_links(first).values()).isdisjoint(_links(second).values())


def test_synthetic_three_agency_linkage_is_precise_and_complete(
    linked: tuple[LinkageMap, QualityReport], prepared: dict, parties: dict, synthetic: object
) -> None:
    from linkage import open_package

    linkage_map, report = linked
    order = {}
    for agency, sub in prepared.items():
        opened = open_package(sub.match_keys_package, parties["linkage-unit"].sealing,
                              {agency: parties[agency].signing_public})
        order[agency] = opened.table().column("serial").to_numpy()
    accuracy = score_linkage(linkage_map.table, order, synthetic.truth)  # type: ignore[attr-defined]
    assert accuracy.precision >= 0.995
    assert accuracy.recall >= 0.95
    assert report.passes[0].name == "rrn" and report.passes[0].links > 0
    assert report.invalid_counts and set(report.records) == set(prepared)


def test_quality_report_renders_without_serials_or_link_ids(linked: tuple[LinkageMap, QualityReport]) -> None:
    linkage_map, report = linked
    rendered = report.to_text() + report.to_html() + report.to_json()
    assert "rrn" in rendered and "<table>" in report.to_html()
    sample = linkage_map.table.slice(0, 50).to_pylist()
    for row in sample:
        assert str(row["link_id"]) not in rendered
        assert str(row["serial"]) not in rendered
    assert QualityReport.from_dict(json.loads(report.to_json())) == report


def test_packages_from_different_projects_are_not_linked(prepared: dict, parties: dict, signers: dict,
                                                          policies: object, secret: bytes,
                                                          synthetic_files: dict) -> None:
    from linkage import prepare_submission

    other = prepare_submission(
        synthetic_files["employment"], agency="employment",
        schema=policies.schema("employment"), scheme=policies.scheme,  # type: ignore[attr-defined]
        project_id="another-project", key_id="k1", linkage_secret=secret,
        signer=parties["employment"].signing, linkage_unit_public=parties["linkage-unit"].sealing_public,
        enclave_public=parties["enclave"].sealing_public,
    )
    with pytest.raises(LinkingError, match="different projects"):
        link_submissions([prepared["welfare"].match_keys_package, other.match_keys_package],
                         recipient_private=parties["linkage-unit"].sealing, trusted_signers=signers)


def test_partitioned_grouping_links_exactly_like_one_group(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import linkage.linkage_unit as unit

    rng = np.random.default_rng(4)
    labels = [f"k{i}" for i in rng.integers(0, 300, 400)]
    a = _sub("a", list(range(400)), p1=labels[:400], p2=[f"m{i % 150}" for i in range(400)])
    b = _sub("b", list(range(1000, 1400)), p1=labels[::-1], p2=[f"m{i % 170}" for i in range(400)])
    c = _sub("c", list(range(2000, 2200)), p1=labels[:200], p2=[f"m{i}" for i in range(200)])

    def clusters(linkage_map: LinkageMap) -> set[frozenset[tuple[str, int]]]:
        groups: dict[int, set[tuple[str, int]]] = {}
        for row in linkage_map.table.to_pylist():
            groups.setdefault(row["link_id"], set()).add((row["agency"], row["serial"]))
        return {frozenset(g) for g in groups.values()}

    whole, whole_report = link_match_keys([a, b, c], ["p1", "p2"])
    monkeypatch.setattr(unit, "PARTITION_ROWS", 50)
    split, split_report = link_match_keys([a, b, c], ["p1", "p2"])
    assert clusters(split) == clusters(whole)
    assert split_report.passes == whole_report.passes
    assert any(len(c) > 1 for c in clusters(whole))
