from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from enclave.privacy import (
    ReviewerIndependenceError,
    anonymize,
    build_risk_report,
    check_reviewer_independence,
    measure_risk,
    pseudonymize_columns,
)

WHEN = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def processed(demo_policy, linked_frame, pseudonym_key):
    df = linked_frame(1500, seed=11)
    return df, anonymize(df, demo_policy, pseudonym_key=pseudonym_key)


def test_report_of_processed_data_meets_thresholds_and_hashes_stably(demo_policy, processed) -> None:
    _, result = processed
    report = build_risk_report(demo_policy, ran_by="Analyst Kim", anonymization=result, created_at=WHEN)
    assert report.meets_thresholds and not report.findings
    assert "meets every threshold" in report.summary
    again = build_risk_report(demo_policy, ran_by="Analyst Kim", anonymization=result, created_at=WHEN)
    assert report.to_json() == again.to_json()
    data = json.loads(report.to_json())
    assert data["content_hash"] == report.content_hash
    assert data["policy_hash"] == demo_policy.content_hash
    assert data["ran_by"] == "Analyst Kim"
    changed = build_risk_report(demo_policy, ran_by="Analyst Lee", anonymization=result, created_at=WHEN)
    assert changed.content_hash != report.content_hash


def test_report_of_raw_pseudonymized_data_lists_failures(demo_policy, linked_frame, pseudonym_key) -> None:
    df, _ = pseudonymize_columns(linked_frame(500), demo_policy, pseudonym_key)
    report = build_risk_report(demo_policy, ran_by="a", risk=measure_risk(df, demo_policy))
    assert not report.meets_thresholds
    assert any("k = 5" in f for f in report.findings)
    assert "does not meet" in report.summary


def test_korean_summary_when_enclave_lang_is_ko(demo_policy, processed, monkeypatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    report = build_risk_report(demo_policy, ran_by="김", anonymization=processed[1], created_at=WHEN)
    assert report.language == "ko" and "임계값" in report.summary
    assert "식별위험" in report.to_html()


def test_html_is_self_contained_with_plots_and_no_record_values(demo_policy, processed) -> None:
    df, result = processed
    html = build_risk_report(demo_policy, ran_by="Analyst Kim", anonymization=result, created_at=WHEN).to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert html.count('src="data:image/png;base64,') >= 3  # classes, record risk, loss
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]", html, flags=re.IGNORECASE)
    pseudonyms = set(result.data["link_id"])
    leaked = [p for p in pseudonyms if p in html] + [v for v in set(df["link_id"]) if v in html]
    assert not leaked
    for column in ("region_code", "birth_date"):
        for value in set(df[column]):
            assert f">{value}<" not in html  # never a quasi-identifier value in a cell


def test_reviewer_must_differ_from_who_ran_the_processing() -> None:
    check_reviewer_independence("Analyst Kim", "Steward Park")
    with pytest.raises(ReviewerIndependenceError, match="different person"):
        check_reviewer_independence("Analyst Kim", "  analyst kim ")
    with pytest.raises(ReviewerIndependenceError):
        check_reviewer_independence("Analyst Kim", "")
    assert ReviewerIndependenceError.http_status == 403
