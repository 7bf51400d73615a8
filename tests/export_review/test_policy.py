"""Disclosure policies from YAML: defaults, overrides, all problems at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from export_review import (
    DominanceRule,
    MinimumCellCount,
    PolicyError,
    default_policy,
    load_disclosure_policy,
)
from export_review.policy import parse_disclosure_policy


def test_default_policy_has_the_issue_thresholds() -> None:
    policy = default_policy()
    count = policy.find(MinimumCellCount)
    dominance = policy.find(DominanceRule)
    assert isinstance(count, MinimumCellCount) and count.threshold == 10
    assert isinstance(dominance, DominanceRule) and (dominance.n, dominance.k) == (2, 0.9)
    assert policy.differencing_threshold == 10
    assert len(policy.content_hash) == 64


def test_project_override_applies_after_dataset_override(tmp_path: Path) -> None:
    file = tmp_path / "p.yaml"
    file.write_text(
        "schema: 1\nname: t\nrules:\n  minimum_cell_count: {threshold: 10}\n"
        "datasets:\n  claims: {rules: {minimum_cell_count: {threshold: 20}}}\n"
        "projects:\n  P1: {rules: {minimum_cell_count: {threshold: 30}}}\n", encoding="utf-8")
    assert load_disclosure_policy(file, dataset="claims").minimum_count == 20
    assert load_disclosure_policy(file, dataset="claims", project="P1").minimum_count == 30
    assert load_disclosure_policy(file).minimum_count == 10
    assert (load_disclosure_policy(file).content_hash
            != load_disclosure_policy(file, project="P1").content_hash)


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_disclosure_policy({
            "schema": 2, "colour": "red",
            "rules": {"minimum_cell_count": {"threshold": 0}, "dominance": {"k": 1.5},
                      "magic": {}, "identifier_scan": {"pseudonym_patterns": ["("]}},
        })
    problems = caught.value.problems
    assert len(problems) == 6
    joined = " ".join(problems)
    for expected in ("schema", "colour", "threshold", "dominance.k", "magic",
                     "pseudonym_patterns[0]"):
        assert expected in joined


def test_rule_can_be_disabled() -> None:
    policy = parse_disclosure_policy({"schema": 1, "rules": {"zero_cells": {"enabled": False}}})
    assert "ZeroCells" not in policy.rule_versions()


def test_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid YAML"):
        load_disclosure_policy(broken)
    with pytest.raises(PolicyError, match="could not be read"):
        load_disclosure_policy(tmp_path / "absent.yaml")
