"""The ``linkage`` command, end to end on a tiny synthetic project."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from linkage.cli import main

POLICIES = str(Path(__file__).resolve().parents[2] / "policies" / "identifiers")
#: The passphrase the module's parties encrypt their private keys with.
KEY_ENV = {"LINKAGE_KEY_PASSPHRASE": "correct horse battery staple"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    runner = CliRunner(env=KEY_ENV)
    for name in ("welfare", "employment", "linkage-unit", "enclave"):
        result = runner.invoke(main, ["keygen", name, "--out", str(root / "k")])
        assert result.exit_code == 0, result.output
    assert runner.invoke(main, ["keygen", "--secret", str(root / "k" / "p.secret")]).exit_code == 0
    result = runner.invoke(main, ["synth", "--out", str(root / "d"), "--persons", "400",
                                  "--agencies", "welfare,employment", "--encoding", "cp949"])
    assert result.exit_code == 0, result.output
    for agency in ("welfare", "employment"):
        result = runner.invoke(main, [
            "prepare", str(root / "d" / f"{agency}.csv"), "--agency", agency, "--policies", POLICIES,
            "--project", "p1", "--key-id", "k1", "--secret", str(root / "k" / "p.secret"),
            "--keys", str(root / "k"), "--linkage-unit-key", str(root / "k" / "linkage-unit.sealing.pub.pem"),
            "--enclave-key", str(root / "k" / "enclave.sealing.pub.pem"), "--out", str(root / "o"),
        ])
        assert result.exit_code == 0, result.output
    return root


def _link(root: Path) -> list[str]:
    return [
        "link", str(root / "o" / "welfare.match_keys.pkg"), str(root / "o" / "employment.match_keys.pkg"),
        "--keys", str(root / "k"), "--policies", POLICIES,
        "--trust", f"welfare={root / 'k' / 'welfare.signing.pub.pem'}",
        "--trust", f"employment={root / 'k' / 'employment.signing.pub.pem'}",
        "--enclave-key", str(root / "k" / "enclave.sealing.pub.pem"), "--out", str(root / "o"),
        "--seen-file", str(root / "o" / "seen.txt"),
    ]


def test_prepare_link_and_inspect_run_and_replays_are_refused(project: Path) -> None:
    runner = CliRunner(env=KEY_ENV)
    result = runner.invoke(main, _link(project))
    assert result.exit_code == 0, result.output
    report = json.loads((project / "o" / "quality_report.json").read_text(encoding="utf-8"))
    assert report["pairs"][0]["linked"] > 0
    again = runner.invoke(main, _link(project))
    assert again.exit_code == 5 and "opened before" in again.output
    shown = runner.invoke(main, ["inspect", str(project / "o" / "welfare.content.pkg"),
                                 "--trust", f"welfare={project / 'k' / 'welfare.signing.pub.pem'}"])
    assert shown.exit_code == 0 and '"kind": "content"' in shown.output
    assert "Signature verified" in shown.output


def test_prepare_with_wrong_columns_exits_with_a_clear_message(project: Path) -> None:
    result = CliRunner(env=KEY_ENV).invoke(main, [
        "prepare", str(project / "d" / "welfare.csv"), "--agency", "employment", "--policies", POLICIES,
        "--project", "p1", "--key-id", "k1", "--secret", str(project / "k" / "p.secret"),
        "--keys", str(project / "k"), "--linkage-unit-key", str(project / "k" / "linkage-unit.sealing.pub.pem"),
        "--enclave-key", str(project / "k" / "enclave.sealing.pub.pem"), "--out", str(project / "x"),
    ])
    assert result.exit_code == 3
    assert "Missing: family_name, given_name" in result.output
    assert not (project / "x").exists()


def test_help_explains_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    for command in ("keygen", "synth", "prepare", "link", "inspect"):
        assert command in result.output


def _prepare(root: Path, keys: Path, out: str) -> list[str]:
    return ["prepare", str(root / "d" / "welfare.csv"), "--agency", "welfare", "--policies", POLICIES,
            "--project", "p1", "--key-id", "k1", "--secret", str(root / "k" / "p.secret"), "--keys", str(keys),
            "--linkage-unit-key", str(root / "k" / "linkage-unit.sealing.pub.pem"),
            "--enclave-key", str(root / "k" / "enclave.sealing.pub.pem"), "--out", str(root / out)]


def test_keygen_encrypts_private_keys_by_default_and_needs_a_passphrase(project: Path, tmp_path: Path) -> None:
    assert "ENCRYPTED PRIVATE KEY" in (project / "k" / "welfare.signing.key.pem").read_text()
    assert "BEGIN PUBLIC KEY" in (project / "k" / "welfare.signing.pub.pem").read_text()
    refused = CliRunner(env={"LINKAGE_KEY_PASSPHRASE": ""}).invoke(main, ["keygen", "welfare", "--out",
                                                                          str(tmp_path / "none")])
    assert refused.exit_code == 4
    assert "LINKAGE_KEY_PASSPHRASE" in refused.output and "--unencrypted" in refused.output
    assert not (tmp_path / "none").exists()
    assert "LINKAGE_KEY_PASSPHRASE" in CliRunner().invoke(main, ["keygen", "--help"]).output


def test_commands_that_open_private_keys_say_when_the_passphrase_is_missing_or_wrong(project: Path) -> None:
    missing = CliRunner(env={"LINKAGE_KEY_PASSPHRASE": ""}).invoke(main, _prepare(project, project / "k", "m"))
    assert missing.exit_code == 4
    assert "encrypted" in missing.output and "LINKAGE_KEY_PASSPHRASE" in missing.output
    wrong = CliRunner(env={"LINKAGE_KEY_PASSPHRASE": "not it"}).invoke(main, _prepare(project, project / "k", "w"))
    assert wrong.exit_code == 4 and "passphrase does not open" in wrong.output
    assert "not it" not in wrong.output
    assert not (project / "m").exists() and not (project / "w").exists()


def test_unencrypted_keys_only_on_request_and_then_open_without_a_passphrase(project: Path, tmp_path: Path) -> None:
    keys = tmp_path / "clear"
    made = CliRunner(env={"LINKAGE_KEY_PASSPHRASE": ""}).invoke(main, ["keygen", "welfare", "--out", str(keys),
                                                                       "--unencrypted"])
    assert made.exit_code == 0, made.output
    assert "ENCRYPTED" not in (keys / "welfare.signing.key.pem").read_text()
    for env in ({"LINKAGE_KEY_PASSPHRASE": ""}, KEY_ENV):  # a passphrase set for other keys does no harm
        result = CliRunner(env=env).invoke(main, _prepare(project, keys, f"clear-{len(env['LINKAGE_KEY_PASSPHRASE'])}"))
        assert result.exit_code == 0, result.output
