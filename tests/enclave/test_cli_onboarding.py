"""Onboarding from the command line: ``enclave agencies``, ``enclave catalog`` and ``enclave keys public``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from enclave.service import open_enclave
from enclave.settings import Settings
from export_review import load_public_key
from linkage.party_keys import fingerprint
from tests.enclave.domain_fixtures import public_pem
from tests.enclave.test_cli import invoke

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "identifiers"
FINGERPRINT = re.compile(r"sha256:[0-9a-f]{32}")


def _key(folder: Path, name: str) -> tuple[Ed25519PrivateKey, Path]:
    key = Ed25519PrivateKey.generate()
    path = folder / f"{name}.signing.pub.pem"
    path.write_bytes(public_pem(key))
    return key, path


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def initialized(runner: CliRunner) -> CliRunner:
    _ok(invoke(runner, "init"))
    return runner


def test_agencies_add_prints_the_fingerprint_to_read_back(initialized: CliRunner, tmp_path: Path) -> None:
    key, path = _key(tmp_path, "welfare")
    added = _ok(invoke(initialized, "agencies", "add", "welfare", "--name", "Welfare service", "--signing-key",
                       str(path)))
    assert fingerprint(key.public_key()) in added.output
    assert "telephone or letter" in added.output
    listed = _ok(invoke(initialized, "agencies", "list")).output
    assert re.search(rf"welfare\s+active\s+{fingerprint(key.public_key())}\s+0\s+Welfare service", listed)


def test_agencies_rotate_show_and_revoke(initialized: CliRunner, tmp_path: Path) -> None:
    first, first_path = _key(tmp_path, "first")
    second, second_path = _key(tmp_path, "second")
    _ok(invoke(initialized, "agencies", "add", "health", "--name", "Health", "--signing-key", str(first_path)))
    _ok(invoke(initialized, "users", "add", "agency-health", "--role", "agency", "--agency", "health",
               "--password", "long enough pass"))
    rotated = _ok(invoke(initialized, "agencies", "rotate-key", "health", "--signing-key", str(second_path)))
    assert fingerprint(second.public_key()) in rotated.output and "refused" in rotated.output
    shown = _ok(invoke(initialized, "agencies", "show", "health")).output
    assert re.search(rf"{fingerprint(first.public_key())}\s+retired", shown)
    assert re.search(rf"{fingerprint(second.public_key())}\s+active", shown)
    assert "agency-health" in shown

    aborted = invoke(initialized, "agencies", "revoke", "health", input="n\n")
    assert aborted.exit_code == 1 and "active" in _ok(invoke(initialized, "agencies", "list")).output
    revoked = _ok(invoke(initialized, "agencies", "revoke", "health", input="y\n"))
    assert "1 user(s) are disabled" in revoked.output
    assert re.search(r"health\s+revoked\s+-", _ok(invoke(initialized, "agencies", "list")).output)
    assert re.search(r"agency-health\s+agency\s+disabled", _ok(invoke(initialized, "users", "list")).output)
    again = invoke(initialized, "agencies", "revoke", "health", "--yes")
    assert again.exit_code == 10 and "revoked" in again.output


def test_agencies_add_refuses_a_private_key_file_with_one_message(initialized: CliRunner, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    private = tmp_path / "welfare.signing.key.pem"
    private.write_bytes(Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    refused = invoke(initialized, "agencies", "add", "welfare", "--name", "W", "--signing-key", str(private))
    assert refused.exit_code == 6 and "Ed25519 public key" in refused.output and "Traceback" not in refused.output
    unknown = invoke(initialized, "agencies", "show", "welfare")
    assert unknown.exit_code == 9 and "enclave agencies list" in unknown.output


def test_catalog_import_list_and_show(initialized: CliRunner, tmp_path: Path) -> None:
    _, path = _key(tmp_path, "welfare")
    _ok(invoke(initialized, "agencies", "add", "welfare", "--name", "Welfare", "--signing-key", str(path)))
    imported = _ok(invoke(initialized, "catalog", "import", str(POLICIES / "welfare.yaml"), "--agency", "welfare",
                          "--title", "Benefit eligibility", "--rows", "123456", "--coverage-start", "2020-01-01"))
    assert "Described dataset 1 (welfare/welfare) in the catalog with 10 variables" in imported.output
    listed = _ok(invoke(initialized, "catalog", "list")).output
    assert re.search(r"1\s+welfare\s+welfare\s+10\s+Benefit eligibility", listed)
    shown = _ok(invoke(initialized, "catalog", "show", "1")).output
    assert "about 123,000" in shown and "welfare.yaml (v1, sha256:" in shown
    assert re.search(r"household_type\s+category\s+yes\s+가구유형", shown)
    assert re.search(r"birth_year\s+integer\s+yes", shown)
    missing = invoke(initialized, "catalog", "show", "99")
    assert missing.exit_code == 9 and "not in the catalog" in missing.output


def test_catalog_import_lists_every_problem_and_stores_nothing(initialized: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "welfare.yaml"
    # Saved by a Windows editor in CP949 (which has no em dash), with an unknown type too.
    bad.write_bytes((POLICIES / "welfare.yaml").read_text(encoding="utf-8").replace("—", "-")
                    .replace("{type: integer, label: 보장가구원수}", "{type: money}").encode("cp949"))
    refused = invoke(initialized, "catalog", "import", str(bad), "--agency", "welfare")
    assert refused.exit_code == 6
    assert "cannot be read as UTF-8" in refused.output and "No active agency" in refused.output
    bad.write_text((POLICIES / "welfare.yaml").read_text(encoding="utf-8")
                   .replace("{type: integer, label: 보장가구원수}", "{type: money}")
                   .replace("  income_krw:", "  payment_krw:"), encoding="utf-8")
    refused = invoke(initialized, "catalog", "import", str(bad), "--agency", "welfare")
    assert "type must be one of" in refused.output and "duplicate key 'payment_krw'" in refused.output
    assert "welfare" not in _ok(invoke(initialized, "catalog", "list")).output.splitlines()[-1]


def test_keys_public_prints_every_key_with_its_fingerprint(initialized: CliRunner, settings: Settings) -> None:
    printed = _ok(invoke(initialized, "keys", "public")).output
    headers = re.findall(r"^# (\S+) (\S+) (\S+) (sha256:[0-9a-f]{32})$", printed, flags=re.M)
    assert [h[:3] for h in headers] == [("enclave", "sealing", "X25519"), ("enclave", "signing", "Ed25519"),
                                        ("linkage-unit", "sealing", "X25519"), ("linkage-unit", "signing", "Ed25519")]
    svc = open_enclave(settings)
    try:
        assert headers[1][3] == fingerprint(svc.keys.signing_public_key)
        assert headers[0][3] == fingerprint(svc.keys.sealing_public_key)
    finally:
        svc.close()
    assert printed.count("-----BEGIN PUBLIC KEY-----") == 4


def test_keys_public_kind_alone_still_prints_the_enclaves_pem_for_a_file(initialized: CliRunner,
                                                                         settings: Settings) -> None:
    result = _ok(invoke(initialized, "keys", "public", "--kind", "signing"))
    assert result.stdout.startswith("-----BEGIN PUBLIC KEY-----")
    svc = open_enclave(settings)
    try:
        assert load_public_key(result.stdout.encode()) == svc.keys.signing_public_key
        assert fingerprint(svc.keys.signing_public_key) in result.stderr
    finally:
        svc.close()
    lu = _ok(invoke(initialized, "keys", "public", "--party", "linkage-unit", "--kind", "sealing")).output
    assert lu.count("-----BEGIN PUBLIC KEY-----") == 1 and "linkage-unit sealing X25519" in lu
