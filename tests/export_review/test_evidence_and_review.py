"""Evidence round trips, and the server's recheck does not trust the kernel."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from export_review import (
    EvidenceError,
    Output,
    OutputSession,
    ReleaseLedger,
    review_outputs,
)
from export_review.evidence import output_from_evidence
from export_review.policy import DisclosurePolicy


def make_outputs(session: OutputSession, data: pd.DataFrame, tmp_path: Path) -> None:
    session.crosstab(data, "sex", "region", name="table")
    session.pivot_table(data, "cost", "sex", name="costs", aggfunc="sum")
    session.summary(data, "cost", statistics=("count", "mean", "median"), name="desc")
    session.histogram(data, "cost", bins=[100, 150, 200], name="hist")
    data = data.assign(y=data["cost"] * 2 + (data["sex"] == "F") * 3.0)
    session.ols("y ~ cost + C(sex)", data, name="model")
    figure = tmp_path / "note.txt"
    figure.write_text("A note about the analysis.\n", encoding="utf-8")
    session.add_file(figure, "Explains Table 1")


def test_every_output_kind_survives_a_json_round_trip(
        session: OutputSession, people: Callable[..., pd.DataFrame], tmp_path: Path) -> None:
    data = people({("F", "Busan"): 30, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    make_outputs(session, data, tmp_path)
    for output in session.outputs.values():
        text = json.dumps(output.to_evidence())
        restored = Output.from_evidence(json.loads(text))
        assert restored == output
        assert restored.to_evidence() == output.to_evidence()
        assert "PS000000" not in text  # record ids are digested, never carried


def test_server_recheck_ignores_a_forged_local_pass(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 3, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    session.crosstab(data, "sex", "region", name="table")
    evidence = session.get("table").to_evidence()
    for result in evidence["local_results"]:
        result["status"] = "pass"
    [verdict] = review_outputs([evidence], policy, ReleaseLedger("P1"))
    assert verdict.status == "fail"
    assert "MinimumCellCount" in verdict.failed_rules


def test_edited_evidence_values_fail_the_consistency_check(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 3, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    session.crosstab(data, "sex", "region", name="table")
    evidence = session.get("table").to_evidence()
    tampered = copy.deepcopy(evidence)
    # Claim the small cell has 30 records while releasing 3.
    tampered["table"]["cells"][0]["count"] = 30
    [verdict] = review_outputs([tampered], policy, ReleaseLedger("P1"))
    assert "EvidenceConsistency" in verdict.failed_rules


@pytest.mark.parametrize("mutate", [
    lambda e: e.update(version=99),
    lambda e: e.update(schema="something-else"),
    lambda e: e.update(kind="spreadsheet"),
    lambda e: e["table"]["cells"][0].update(count="many"),
    lambda e: e.update(name="../../etc/passwd"),
    lambda e: e["table"]["cells"][0].update(members="not base64!"),
])
def test_malformed_evidence_gets_a_failing_verdict_not_a_crash(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy, mutate: Callable[[dict], None]) -> None:
    data = people({("F", "Busan"): 30, ("M", "Busan"): 25})
    session.crosstab(data, "sex", "region", name="table")
    evidence = session.get("table").to_evidence()
    mutate(evidence)
    with pytest.raises(EvidenceError):
        Output.from_evidence(evidence)
    [verdict] = review_outputs([evidence], policy, ReleaseLedger("P1"))
    assert verdict.status == "fail" and verdict.failed_rules == ("EvidenceFormat",)


def test_oversized_file_evidence_is_refused(
        session: OutputSession, tmp_path: Path) -> None:
    file = tmp_path / "big.txt"
    file.write_text("x" * 2000, encoding="utf-8")
    session.add_file(file, "big")
    evidence = session.get("big").to_evidence()
    with pytest.raises(EvidenceError, match="limit"):
        output_from_evidence(evidence, max_file_bytes=1000)


def test_verdicts_record_policy_hash_and_rule_versions(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    data = people({("F", "Busan"): 30, ("M", "Busan"): 25})
    session.crosstab(data, "sex", "region", name="table")
    [verdict] = review_outputs([session.get("table").to_evidence()], policy,
                               ReleaseLedger("P1"))
    assert verdict.policy_hash == policy.content_hash
    assert verdict.rule_versions["MinimumCellCount"] == "1.0"
    assert verdict.rule_versions["Differencing"] == "1.0"
    restored = type(verdict).from_dict(json.loads(json.dumps(verdict.to_dict())))
    assert restored == verdict


def test_evidence_errors_and_verdicts_never_echo_field_values(
        session: OutputSession, people: Callable[..., pd.DataFrame],
        policy: DisclosurePolicy) -> None:
    session.crosstab(people({("F", "Busan"): 30}), "sex", "region", name="table")
    evidence = session.get("table").to_evidence()
    evidence["table"]["cells"][0]["count"] = "900101-1234567"
    evidence["comment"] = 12345
    with pytest.raises(EvidenceError) as caught:
        Output.from_evidence(evidence)
    assert "900101" not in str(caught.value)
    [verdict] = review_outputs([evidence], policy, ReleaseLedger("P1"))
    assert "900101" not in json.dumps(verdict.to_dict())


def test_an_output_named_like_an_identifier_fails_the_scan(
        session: OutputSession, people: Callable[..., pd.DataFrame]) -> None:
    session.frequency(people({("F", "Busan"): 30}), "sex", name="010-1234-5678")
    failing = [r for r in session.results("010-1234-5678") if r.status == "fail"]
    assert [r.rule for r in failing] == ["IdentifierScan"]
    assert "5678" not in failing[0].message
