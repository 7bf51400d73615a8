"""Cutting the audit log short is caught: head file, signed checkpoints and anchors kept outside."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text

from enclave.audit import CHECKPOINT_ACTION, AuditLog
from enclave.db.models import AuditEvent
from enclave.errors import AuditChainBroken
from enclave.service import EnclaveService
from tests.enclave.test_cli import invoke


def _fill(svc: EnclaveService, n: int = 5) -> None:
    with svc.session() as session:
        for i in range(n):
            svc.audit.record(session, actor="alice", action="test.event", object_type="thing",
                             object_id=i, count=i)


def _tamper(svc: EnclaveService, *statements: str) -> None:
    """Run statements with the append-only triggers out of the way, as an attacker with DB access would."""
    with svc.db.engine.begin() as conn:
        if svc.db.dialect == "postgresql":
            conn.execute(text("SET session_replication_role = replica"))
        else:
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            conn.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def _head(svc: EnclaveService) -> Path:
    return svc.settings.data_dir / "audit.head"


def _broken(svc: EnclaveService) -> AuditChainBroken:
    with svc.session() as session, pytest.raises(AuditChainBroken) as caught:
        svc.audit.verify(session)
    return caught.value


def _verify(svc: EnclaveService) -> int:
    with svc.session() as session:
        return svc.audit.verify(session)


def test_rows_cut_from_the_end_with_the_head_file_still_there_are_caught(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events WHERE seq >= 4")
    assert _broken(svc).reason == "tail"


def test_rows_cut_from_the_end_together_with_the_head_file_are_caught(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events WHERE seq >= 4")
    _head(svc).unlink()
    broken = _broken(svc)
    assert broken.reason == "head_missing"
    assert "audit.head" in str(broken) and "--anchor" in str(broken)


def test_every_row_deleted_together_with_the_head_file_is_caught(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events")
    _head(svc).unlink()
    assert _broken(svc).reason == "empty"


def test_every_row_deleted_with_the_head_file_left_is_caught(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events")
    assert _broken(svc).reason == "empty"


def test_a_missing_head_file_is_a_break_even_when_no_row_was_touched(svc: EnclaveService) -> None:
    _fill(svc)
    _head(svc).unlink()
    assert _broken(svc).reason == "head_missing"


def test_a_head_file_put_back_from_an_older_copy_is_older_than_the_checkpoint(svc: EnclaveService,
                                                                             tmp_path: Path) -> None:
    _fill(svc, 3)
    shutil.copy(_head(svc), tmp_path / "old.head")
    cut_from = _verify(svc) + 1
    with svc.session() as session:
        svc.audit.checkpoint(session, reason="start")
    _fill(svc, 3)
    _tamper(svc, f"DELETE FROM audit_events WHERE seq > {cut_from}")
    shutil.copy(tmp_path / "old.head", _head(svc))
    broken = _broken(svc)
    assert (broken.reason, broken.seq) == ("stale_head", cut_from)


def test_the_head_file_is_signed_with_the_enclaves_key(svc: EnclaveService) -> None:
    _fill(svc)
    head = json.loads(_head(svc).read_bytes())
    assert head["signature"]
    _verify(svc)
    # Someone with the audit key but not the enclave's signing key cannot make a head.
    impostor = AuditLog(svc.keys.audit_key, signer=Ed25519PrivateKey.generate())
    from enclave.audit.anchoring import sign_anchor

    head["signature"] = sign_anchor("head", head["seq"], head["hash"], impostor._signer).signature
    _head(svc).write_text(json.dumps(head))
    assert _broken(svc).reason == "signature"


def test_checkpoints_are_written_every_n_events_and_signed(svc: EnclaveService) -> None:
    svc.audit.checkpoint_every = 4
    _fill(svc, 10)
    with svc.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == CHECKPOINT_ACTION)
                               .order_by(AuditEvent.seq)).all()
        covered = [json.loads(r.details)["covers_seq"] for r in rows]
        assert all(json.loads(r.details)["signature"] for r in rows)
    assert covered == [4, 8, 12]
    assert _verify(svc) == 14  # init, ten events, three checkpoints


def test_a_checkpoint_rewritten_without_the_signing_key_is_caught(svc: EnclaveService) -> None:
    # The worst case short of the key file: the attacker holds the audit key and recomputes hash and MAC.
    import hashlib

    from enclave.audit.log import _canonical

    _fill(svc, 2)
    with svc.session() as session:
        svc.audit.checkpoint(session, reason="start")
    forger = AuditLog(svc.keys.audit_key)
    with svc.session() as session:
        row = session.scalars(select(AuditEvent).where(AuditEvent.action == CHECKPOINT_ACTION)).one()
        detail = json.loads(row.details)
        detail["signature"] = "AAAA" + detail["signature"][4:]
        row.details = json.dumps(detail, sort_keys=True)
        digest = hashlib.sha256(_canonical(row)).hexdigest()
        mac = forger._mac(digest)
        seq, details = row.seq, row.details
        session.expunge(row)
    _tamper(svc, f"UPDATE audit_events SET details = '{details}', hash = '{digest}', mac = '{mac}' "
                 f"WHERE seq = {seq}")
    # Only the newest event: its hash and MAC now match, so only the signature can tell.
    head = json.loads(_head(svc).read_bytes())
    head.update(hash=digest, mac=forger._mac(f"head:{seq}:{digest}"), signature="")
    _head(svc).write_text(json.dumps(head))
    broken = _broken(svc)
    assert (broken.reason, broken.seq) == ("signature", seq)


def _cli(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = invoke(runner, *args)
    return result.exit_code, result.output


def test_an_anchor_kept_outside_catches_a_cut_that_took_the_checkpoints_and_restored_the_head(
        svc: EnclaveService, runner: CliRunner, tmp_path: Path) -> None:
    _fill(svc, 3)
    shutil.copy(_head(svc), tmp_path / "old.head")
    cut_from = _verify(svc) + 1
    code, output = _cli(runner, "audit", "anchor")
    assert code == 0, output
    [line] = output.strip().splitlines()
    assert line.startswith("enclave-audit-head/1 seq=")
    _fill(svc, 2)
    assert _cli(runner, "audit", "verify", "--anchor", line)[0] == 0

    _tamper(svc, f"DELETE FROM audit_events WHERE seq >= {cut_from}")
    shutil.copy(tmp_path / "old.head", _head(svc))
    assert _verify(svc) == cut_from - 1  # nothing left on the machine shows the cut
    code, output = _cli(runner, "audit", "verify", "--anchor", line)
    assert code == 11
    assert "BROKEN" in output and "deleted from the end" in output


def test_an_anchor_line_not_signed_by_this_enclave_is_refused(svc: EnclaveService, runner: CliRunner) -> None:
    _fill(svc, 2)
    code, output = _cli(runner, "audit", "anchor")
    forged = output.strip().replace("signature=", "signature=AAAA", 1)
    code, output = _cli(runner, "audit", "verify", "--anchor", forged)
    assert code == 11 and "not signed by this enclave" in output
    code, output = _cli(runner, "audit", "verify", "--anchor", "seq=3 something")
    assert code == 2 and "not an anchor line" in output


def test_checkpoints_exported_to_a_folder_are_written_once_and_checked(
        svc: EnclaveService, runner: CliRunner, tmp_path: Path) -> None:
    svc.audit.checkpoint_every = 3
    _fill(svc, 1)
    shutil.copy(_head(svc), tmp_path / "old.head")
    _fill(svc, 3)
    folder = tmp_path / "worm"
    folder.mkdir()
    code, output = _cli(runner, "audit", "anchor", "--export-to", str(folder))
    assert code == 0, output
    files = sorted(folder.iterdir())
    assert len(files) == 3  # the periodic ones covering 3 and 6, and the anchor's own
    assert all(not f.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) for f in files)
    code, output = _cli(runner, "audit", "anchor", "--export-to", str(folder))
    assert "Exported 1 new checkpoints" in output
    assert _cli(runner, "audit", "verify", "--checkpoints", str(folder))[0] == 0

    _tamper(svc, "DELETE FROM audit_events WHERE seq >= 3")
    shutil.copy(tmp_path / "old.head", _head(svc))
    assert _verify(svc) == 2  # the checkpoints went with the rows: only the export remembers
    code, output = _cli(runner, "audit", "verify", "--checkpoints", str(folder))
    assert code == 11 and "deleted from the end" in output


def test_verify_from_the_command_line_fails_with_advice_on_a_missing_head(svc: EnclaveService,
                                                                         runner: CliRunner) -> None:
    _fill(svc, 2)
    code, output = _cli(runner, "audit", "verify")
    assert code == 0 and "intact" in output
    with svc.session() as session:
        [checkpoint] = svc.audit.query(session, action=CHECKPOINT_ACTION)
    assert checkpoint.details["reason"] == "verify"
    _head(svc).unlink()
    code, output = _cli(runner, "audit", "verify")
    assert code == 11
    assert "audit.head" in output and "enclave audit verify --anchor" in output
