"""The service's message catalogue: every message in English and Korean, with the same placeholders."""

from __future__ import annotations

import string

import pytest

from enclave.messages import MESSAGES, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(message_id: str) -> None:
    entry = MESSAGES[message_id]
    assert entry.get("en") and entry.get("ko")
    assert _fields(entry["en"]) == _fields(entry["ko"])


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("db.not_initialized").startswith("데이터베이스")
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("db.not_initialized").startswith("The database")
