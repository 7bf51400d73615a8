"""The service's message catalogue: every message in English and Korean, with the same placeholders."""

from __future__ import annotations

import pytest

from enclave.messages import text


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("db.not_initialized").startswith("데이터베이스")
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("db.not_initialized").startswith("The database")
