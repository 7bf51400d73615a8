"""ENCLAVE_LANG is read one way everywhere: a language tag or a POSIX locale, English by default."""

from __future__ import annotations

import pytest

import enclave.hub.messages
import enclave.messages
import enclave.privacy.messages
import enclave.web.messages
import export_review.messages
import linkage.messages
from translation import current_language, normalize_language


@pytest.mark.parametrize(("value", "expected"), [
    ("ko", "ko"), ("KO", "ko"), ("ko_KR", "ko"), ("ko-KR", "ko"), ("ko_KR.UTF-8", "ko"), ("ko_KR.utf8", "ko"),
    ("en", "en"), ("en_US.UTF-8", "en"), ("en_GB", "en"), ("C", "en"), ("C.UTF-8", "en"), ("POSIX", "en"),
    ("fr_FR.UTF-8", None), ("", None), (None, None),
])
def test_language_names_are_read_like_posix_locales(value: str | None, expected: str | None) -> None:
    assert normalize_language(value) == expected


@pytest.mark.parametrize("value", ["ko", "ko_KR", "ko_KR.UTF-8", "ko-KR"])
def test_every_package_speaks_korean_for_every_spelling_of_korean(monkeypatch: pytest.MonkeyPatch,
                                                                   value: str) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", value)
    assert current_language() == "ko"
    assert linkage.messages.text("report.title") == "결합 품질 보고서"
    assert export_review.messages.text("rule.zeros.pass") == "빈 칸이 없습니다."
    assert enclave.messages.text("db.not_initialized").startswith("데이터베이스")
    assert enclave.web.messages.text("nav.login") == "로그인"
    assert enclave.hub.messages.text("egress.data_read_only").startswith("data/ 폴더")
    assert enclave.privacy.messages.text("risk.empty").startswith("데이터")


@pytest.mark.parametrize("value", ["en_US.UTF-8", "fr", "", "C.UTF-8"])
def test_anything_but_korean_is_english(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", value)
    assert linkage.messages.text("report.title") == "Linkage quality report"
    assert enclave.web.messages.text("nav.login") == "Log in"


def test_glued_particles_are_chosen_for_the_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    one = enclave.messages.text("projects.destroyed", project_id=1, when="2026-01-01")
    two = enclave.messages.text("projects.destroyed", project_id=2, when="2026-01-01")
    assert "과제 1은" in one and "과제 2는" in two
    assert "(" not in one.split("2026")[0]
