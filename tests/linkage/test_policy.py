"""Identifier schemas and the match-key scheme: loading, validation, hashing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from linkage import PolicyError, load_identifier_policies
from linkage.policy import MATCH_FIELDS

REPO_POLICIES = Path(__file__).resolve().parents[2] / "policies" / "identifiers"


def test_repository_policies_load_with_three_agencies_and_ordered_passes() -> None:
    policies = load_identifier_policies(REPO_POLICIES)
    assert set(policies.schemas) == {"welfare", "health", "employment"}
    assert policies.scheme.pass_names[0] == "rrn"
    assert all(f in MATCH_FIELDS for p in policies.scheme.passes for f in p.fields)
    assert len(policies.content_hash) == 64


def test_policy_hash_is_stable_and_changes_with_content(tmp_path: Path) -> None:
    copy = tmp_path / "p"
    shutil.copytree(REPO_POLICIES, copy)
    first = load_identifier_policies(copy)
    assert load_identifier_policies(copy).content_hash == first.content_hash
    scheme = copy / "scheme.yaml"
    scheme.write_text(scheme.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8")
    second = load_identifier_policies(copy)
    assert second.scheme.content_hash != first.scheme.content_hash
    assert second.schemas["welfare"].content_hash == first.schemas["welfare"].content_hash


def test_every_problem_in_every_file_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "scheme.yaml").write_text(
        "kind: match_key_scheme\nname: s\nversion: 0\npasses:\n"
        "  - name: a\n    fields: [rrn, shoe_size]\n"
        "  - name: a\n    fields: [phone]\n",
        encoding="utf-8",
    )
    (tmp_path / "bad.yaml").write_text(
        "kind: identifier_schema\ndataset: x\nversion: 1\n"
        "identifiers:\n  rrn: {kind: passport}\n  rrn: {kind: rrn}\n"
        "content:\n  pay: {type: money}\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_identifier_policies(tmp_path)
    problems = "\n".join(caught.value.problems)
    for expected in (
        "'version' must be",
        "shoe_size",
        "used twice",
        "duplicate key 'rrn'",
        "type must be one of",
        "broken.yaml: not valid YAML",
    ):
        assert expected in problems
    assert len(caught.value.problems) >= 6


def test_missing_scheme_file_says_what_to_add(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="No match-key scheme file"):
        load_identifier_policies(tmp_path)


def test_unknown_dataset_names_the_known_ones() -> None:
    policies = load_identifier_policies(REPO_POLICIES)
    with pytest.raises(PolicyError, match="employment, health, welfare"):
        policies.schema("taxes")


def test_repository_scheme_declares_the_probabilistic_pass() -> None:
    spec = load_identifier_policies(REPO_POLICIES).scheme.probabilistic
    assert spec is not None
    assert {e.field for e in spec.encodings} >= {"full_name_loose", "birth_date", "phone"}
    assert spec.blocking and spec.hardening == ("rule90",)
    assert spec.review <= spec.accept


def test_every_problem_of_a_probabilistic_section_is_reported_at_once(tmp_path: Path) -> None:
    (tmp_path / "scheme.yaml").write_text(
        "kind: match_key_scheme\nname: s\nversion: 1\npasses:\n  - name: a\n    fields: [phone]\n"
        "probabilistic:\n"
        "  encodings:\n"
        "    - {field: shoe_size, q: 2, bits: 256, hashes: 8}\n"
        "    - {field: phone, q: 5, bits: 100, hashes: 40}\n"
        "  hardening: [rot13]\n"
        "  blocking:\n    - {name: b, fields: [hat]}\n"
        "  levels: [0.5, 0.9]\n"
        "  accept: 0.4\n  review: 0.6\n",
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as caught:
        load_identifier_policies(tmp_path)
    problems = "\n".join(caught.value.problems)
    for expected in (
        "unknown field 'shoe_size'",
        ".q: must be 1, 2 or 3",
        ".bits: must be a multiple of 128",
        ".hashes: must be a whole number from 1 to 16",
        "hardening: must be a list drawn from",
        "unknown fields ['hat']",
        "levels: must be Dice thresholds",
        "review must not be above accept",
    ):
        assert expected in problems, expected
