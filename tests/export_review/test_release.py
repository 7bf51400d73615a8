"""Signed release packages: only approved outputs, neutral CSVs, tamper detection, CLI."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from export_review import (
    Decision,
    OutputSession,
    ReleaseError,
    ReleaseLedger,
    ReviewBoard,
    VerificationError,
    build_release_package,
    neutralize_csv_cell,
    review_outputs,
    verify_release_package,
)
from export_review.cli import main
from export_review.policy import DisclosurePolicy


@pytest.fixture
def package(session: OutputSession, people: Callable[..., pd.DataFrame],
            policy: DisclosurePolicy, signing_key: Ed25519PrivateKey, tmp_path: Path) -> bytes:
    data = people({("F", "Busan"): 30, ("F", "Seoul"): 40, ("M", "Busan"): 25,
                   ("M", "Seoul"): 50})
    session.crosstab(data, "sex", "region", name="safe_table")
    session.crosstab(data.iloc[:33], "sex", "region", name="small_table")
    csv = tmp_path / "made_elsewhere.csv"
    csv.write_text("label,value\n=HYPERLINK(\"http://x\"),-3.5\n@SUM(A1),+1\n",
                   encoding="utf-8")
    session.add_file(csv, "Table 3 from the appendix", name="appendix")
    evidence = [o.to_evidence() for o in session.outputs.values()]
    verdicts = review_outputs(evidence, policy, ReleaseLedger("P1"))
    boards = []
    for verdict in verdicts:
        board = ReviewBoard(verdict.name, "alice", verdict.status)
        decision = Decision.REJECT if verdict.name == "small_table" else Decision.APPROVE
        for reviewer in ("bob", "carol"):
            comment = "" if verdict.status == "pass" or decision is Decision.REJECT else "ok"
            board.vote(reviewer, decision, comment)
        boards.append(board)
    return build_release_package(evidence, verdicts, boards, signing_key,
                                 {"project": "P1", "request_id": 7})


def rewrite(package: bytes, change: Callable[[dict[str, bytes]], None]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    change(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_package_holds_only_approved_outputs_and_verifies(
        package: bytes, signing_key: Ed25519PrivateKey) -> None:
    release = verify_release_package(package, signing_key.public_key())
    assert set(release.output_names) == {"safe_table", "appendix"}
    assert set(release.files) == {"outputs/safe_table.csv", "outputs/appendix.csv"}
    manifest = release.manifest
    assert manifest["metadata"] == {"project": "P1", "request_id": 7}
    entry = next(o for o in manifest["outputs"] if o["name"] == "safe_table")
    assert entry["rule_versions"]["MinimumCellCount"] == "1.0"
    assert [r["reviewer"] for r in entry["reviews"]] == ["bob", "carol"]
    assert all("members" not in json.dumps(o) for o in manifest["outputs"])


def test_csv_cells_are_neutralized_against_formula_injection(
        package: bytes, signing_key: Ed25519PrivateKey) -> None:
    release = verify_release_package(package, signing_key.public_key())
    content = release.files["outputs/appendix.csv"].decode("utf-8")
    assert "'=HYPERLINK" in content and "'@SUM(A1)" in content and "'+1" in content
    assert ",-3.5" in content  # plain negative numbers stay numbers


@pytest.mark.parametrize(("value", "expected"), [
    ("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@A1", "'@A1"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("-0.53", "-0.53"), ("Seoul", "Seoul"),
])
def test_neutralize_csv_cell(value: str, expected: str) -> None:
    assert neutralize_csv_cell(value) == expected


@pytest.mark.parametrize(("change", "problem"), [
    (lambda f: f.update({"outputs/safe_table.csv": f["outputs/safe_table.csv"] + b"x,y,1\n"}),
     "safe_table.csv was changed"),
    (lambda f: f.update({"outputs/extra.csv": b"a\n"}), "extra.csv was added"),
    (lambda f: f.pop("outputs/appendix.csv"), "appendix.csv was removed"),
    (lambda f: f.update({"manifest.json": f["manifest.json"].replace(b'"P1"', b'"P2"')}),
     "signature"),
])
def test_tampered_packages_are_detected(package: bytes, signing_key: Ed25519PrivateKey,
                                        change: Callable[[dict[str, bytes]], None],
                                        problem: str) -> None:
    with pytest.raises(VerificationError) as caught:
        verify_release_package(rewrite(package, change), signing_key.public_key())
    assert any(problem in p for p in caught.value.problems)


def test_a_package_signed_by_another_key_is_refused(package: bytes) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(VerificationError, match="signature"):
        verify_release_package(package, other)


def test_not_a_zip_is_a_clear_error(signing_key: Ed25519PrivateKey) -> None:
    with pytest.raises(VerificationError, match="zip"):
        verify_release_package(b"hello", signing_key.public_key())


def test_nothing_approved_means_no_package(signing_key: Ed25519PrivateKey) -> None:
    with pytest.raises(ReleaseError, match="nothing to release"):
        build_release_package([], [], [], signing_key, {})


def test_cli_verify_exit_codes(package: bytes, signing_key: Ed25519PrivateKey,
                               tmp_path: Path) -> None:
    key_file = tmp_path / "release.pub"
    key_file.write_bytes(signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    good = tmp_path / "release.zip"
    good.write_bytes(package)
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(good), "--public-key", str(key_file)])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output and "outputs/safe_table.csv" in result.output
    bad = tmp_path / "tampered.zip"
    bad.write_bytes(rewrite(package, lambda f: f.pop("outputs/appendix.csv")))
    result = runner.invoke(main, ["verify", str(bad), "--public-key", str(key_file)])
    assert result.exit_code == 1
    assert "NOT verified" in result.output and "appendix.csv was removed" in result.output
    help_text = runner.invoke(main, ["verify", "--help"]).output
    assert "--public-key" in help_text


def test_cli_check_rechecks_saved_evidence(session: OutputSession,
                                           people: Callable[..., pd.DataFrame],
                                           tmp_path: Path) -> None:
    session.crosstab(people({("F", "A"): 3, ("M", "A"): 40}), "sex", "region", name="small")
    session.crosstab(people({("F", "A"): 30, ("M", "A"): 40}, start=500), "sex", "region",
                     name="fine")
    session.save(tmp_path)
    runner = CliRunner()
    failing = runner.invoke(main, ["check", str(tmp_path / "small.evidence.json")])
    assert failing.exit_code == 1 and "small: fail" in failing.output
    assert "MinimumCellCount" in failing.output
    passing = runner.invoke(main, ["check", str(tmp_path / "fine.evidence.json")])
    assert passing.exit_code == 0 and "fine: pass" in passing.output


def test_unsafe_member_paths_are_refused(package: bytes,
                                         signing_key: Ed25519PrivateKey) -> None:
    evil = rewrite(package, lambda f: f.update({"../outside.csv": b"x\n"}))
    with pytest.raises(VerificationError) as caught:
        verify_release_package(evil, signing_key.public_key())
    assert any("unsafe path" in p for p in caught.value.problems)
