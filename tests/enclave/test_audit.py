"""The audit log detects every kind of tampering and refuses changes."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from enclave.errors import AuditChainBroken
from enclave.service import EnclaveService, open_enclave


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


def _verify(svc: EnclaveService) -> int:
    with svc.session() as session:
        return svc.audit.verify(session)


def test_intact_log_verifies_and_counts_every_event(svc: EnclaveService) -> None:
    _fill(svc)
    assert _verify(svc) == 6  # enclave.init + 5


def test_changed_row_is_named(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 4")
    with pytest.raises(AuditChainBroken) as caught:
        _verify(svc)
    assert caught.value.seq == 4
    assert "#4" in str(caught.value)


def test_deleted_row_in_the_middle_is_named(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events WHERE seq = 3")
    with pytest.raises(AuditChainBroken) as caught:
        _verify(svc)
    assert caught.value.seq == 3
    assert "missing" in str(caught.value)


def test_deleted_rows_at_the_end_are_caught_by_the_head_file(svc: EnclaveService) -> None:
    _fill(svc)
    _tamper(svc, "DELETE FROM audit_events WHERE seq >= 5")
    with pytest.raises(AuditChainBroken) as caught:
        _verify(svc)
    assert caught.value.seq == 4


def test_reordered_rows_are_named(svc: EnclaveService) -> None:
    _fill(svc)
    # Swap the content of two events by swapping their seq numbers via a free value.
    _tamper(
        svc,
        "UPDATE audit_events SET seq = 1000 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = 1000",
    )
    with pytest.raises(AuditChainBroken) as caught:
        _verify(svc)
    assert caught.value.seq == 3


def test_rewritten_row_with_recomputed_hash_fails_its_mac(svc: EnclaveService) -> None:
    _fill(svc, 1)
    with svc.session() as session:
        row = svc.audit.record(session, actor="alice", action="probe")
        seq = row.seq
    # An attacker without the audit key recomputes the hash but cannot compute the MAC.
    from enclave.audit.log import AuditLog
    from enclave.db.models import AuditEvent

    forger = AuditLog(b"x" * 32)
    with svc.session() as session:
        original = session.query(AuditEvent).filter_by(seq=seq).one()
        original.actor = "mallory"
        import hashlib

        from enclave.audit.log import _canonical

        new_hash = hashlib.sha256(_canonical(original)).hexdigest()
        session.expunge(original)
    _tamper(svc, f"UPDATE audit_events SET actor = 'mallory', hash = '{new_hash}', "
                 f"mac = '{forger._mac(new_hash)}' WHERE seq = {seq}")
    with pytest.raises(AuditChainBroken) as caught:
        _verify(svc)
    assert caught.value.seq == seq


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET outcome = 'ok'",
    "DELETE FROM audit_events",
])
def test_database_refuses_update_and_delete_on_the_audit_table(svc: EnclaveService, statement: str) -> None:
    _fill(svc, 1)
    with pytest.raises(Exception, match="append-only"), svc.db.engine.begin() as conn:
        conn.execute(text(statement))
    assert _verify(svc) == 2


def test_concurrent_writers_keep_one_unbroken_chain(svc: EnclaveService) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        other = open_enclave(svc.settings)
        try:
            for i in range(10):
                with other.session() as session:
                    other.audit.record(session, actor=name, action="test.concurrent", object_id=i)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            other.close()

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _verify(svc) == 31


def test_details_refuse_non_scalar_values(svc: EnclaveService) -> None:
    import pandas as pd

    with pytest.raises(TypeError), svc.session() as session:
        svc.audit.record(session, actor="alice", action="x", frame=pd.DataFrame({"a": [1]}))  # type: ignore[arg-type]


def test_query_filters_by_actor_object_and_time(svc: EnclaveService) -> None:
    import datetime as dt

    _fill(svc, 3)
    with svc.session() as session:
        svc.audit.record(session, actor="bob", action="other.event", object_type="project", object_id=7)
        by_bob = svc.audit.query(session, actor="bob")
        on_project = svc.audit.query(session, object_type="project", object_id="7")
        future = svc.audit.query(session, since=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
        by_prefix = svc.audit.query(session, action="test")
    assert [e.action for e in by_bob] == ["other.event"]
    assert len(on_project) == 1
    assert future == []
    assert len(by_prefix) == 3
