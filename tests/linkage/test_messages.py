"""The message catalog: every text in English and Korean, same placeholders, chosen by ENCLAVE_LANG."""

from __future__ import annotations

import pytest

from linkage.messages import text


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("report.title") == "결합 품질 보고서"
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("report.title") == "Linkage quality report"
