from __future__ import annotations

import string
import subprocess
import sys

import pytest

import enclave.privacy
from enclave.privacy.messages import MESSAGES, text


def test_importing_the_library_pulls_in_no_web_database_or_model_code() -> None:
    code = (
        "import sys, enclave.privacy\n"
        "heavy = {'flask', 'sqlalchemy', 'sdv', 'anonymeter', 'torch', 'matplotlib'}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_public_api_is_exported() -> None:
    for name in enclave.privacy.__all__:
        assert getattr(enclave.privacy, name) is not None
    for name in (
        "load_policy",
        "pseudonymize_columns",
        "measure_risk",
        "anonymize",
        "run_attacks",
        "build_replica",
        "build_risk_report",
        "check_reviewer_independence",
    ):
        assert name in enclave.privacy.__all__


@pytest.mark.parametrize("message_id", sorted(MESSAGES))
def test_every_message_has_english_and_korean_with_the_same_fields(message_id: str) -> None:
    entry = MESSAGES[message_id]
    assert entry["en"] and entry["ko"]

    def fields(template: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}

    assert fields(entry["en"]) == fields(entry["ko"])


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("risk.empty").startswith("데이터에")
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("risk.empty").startswith("The data")
