"""The message catalog: every text in English and Korean, same placeholders, chosen by ENCLAVE_LANG."""

from __future__ import annotations

import string

import pytest

from linkage.messages import MESSAGES, text


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_has_english_and_korean_with_the_same_placeholders(message_id: str) -> None:
    entry = MESSAGES[message_id]
    assert entry["en"] and entry["ko"]
    assert _fields(entry["en"]) == _fields(entry["ko"])


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("report.title") == "결합 품질 보고서"
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("report.title") == "Linkage quality report"
