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
