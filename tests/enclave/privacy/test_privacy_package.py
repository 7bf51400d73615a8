from __future__ import annotations

import subprocess
import sys

import pytest

import enclave.privacy
from enclave.privacy.messages import text


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


def test_language_follows_enclave_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENCLAVE_LANG", "ko")
    assert text("risk.empty").startswith("데이터에")
    monkeypatch.setenv("ENCLAVE_LANG", "fr")
    assert text("risk.empty").startswith("The data")
