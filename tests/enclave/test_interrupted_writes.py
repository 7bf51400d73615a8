"""Start-up sweep: what a killed process left is removed and audited; what a living one writes is kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from enclave.jobs.worker import Worker
from enclave.service import EnclaveService
from enclave.store.interrupted import incoming_file
from enclave.web import create_app

ROOT = Path(__file__).resolve().parents[2]

_WRITER = """
import sys, time
from pathlib import Path
from enclave.store.interrupted import incoming_file
from linkage.atomic_files import atomic_writer

root = Path(sys.argv[1])
with incoming_file(root, "upload") as part:
    part.write_bytes(b"half a package")
    with atomic_writer(root / "objects" / "projects" / "1" / "linked" / "d.enc") as handle:
        handle.write(b"half an object")
        handle.flush()
        print("writing", flush=True)
        time.sleep(600)
"""


def _killed_mid_write(data_dir: Path) -> None:
    """Run a writer in another process and kill -9 it in the middle of an upload and an atomic write."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(data_dir)], stdout=subprocess.PIPE, env=env)
    assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)


def _leftovers(data_dir: Path) -> list[str]:
    return sorted(p.relative_to(data_dir).as_posix() for p in data_dir.rglob("*")
                  if p.is_file() and (p.suffix in (".part", ".tmp")))


def _sweep_events(svc: EnclaveService) -> list[tuple[str, str, str]]:
    with svc.session() as session:
        events = svc.audit.query(session, actor="system", limit=1000)
    return sorted((e.action, e.outcome, str(e.object_id)) for e in events
                  if e.action in ("intake.upload", "store.sweep"))


def test_app_start_removes_what_a_killed_upload_and_write_left_and_audits_each(svc: EnclaveService) -> None:
    data_dir = svc.settings.data_dir
    _killed_mid_write(data_dir)
    left = _leftovers(data_dir)
    assert len(left) == 2 and any(name.startswith("incoming/upload-") for name in left)
    create_app(svc.settings, svc)
    assert _leftovers(data_dir) == []
    events = _sweep_events(svc)
    assert [(action, outcome) for action, outcome, _ in events] == [("intake.upload", "interrupted"),
                                                                    ("store.sweep", "removed")]
    assert sorted(object_id for _, _, object_id in events) == left
    with svc.session() as session:
        [upload] = [e for e in svc.audit.query(session, action="intake.upload")]
    assert upload.details["bytes"] == len(b"half a package")
    # A second start finds nothing and records nothing more.
    create_app(svc.settings, svc)
    assert len(_sweep_events(svc)) == 2


def test_a_file_being_written_now_is_left_alone(svc: EnclaveService) -> None:
    data_dir = svc.settings.data_dir
    (data_dir / "incoming").mkdir(exist_ok=True)
    unrelated = [data_dir / "incoming" / "notes.part", data_dir / ".hidden.tmp"]
    for path in unrelated:
        path.write_bytes(b"x")
    with incoming_file(data_dir, "upload") as in_flight:
        in_flight.write_bytes(b"arriving")
        assert svc.sweep_interrupted_writes() == 0
        assert in_flight.exists()
    assert not in_flight.exists()
    assert all(path.exists() for path in unrelated)
    assert _sweep_events(svc) == []


def test_the_worker_sweeps_when_it_starts(svc: EnclaveService) -> None:
    _killed_mid_write(svc.settings.data_dir)
    Worker(svc, {}).run(once=True)
    assert _leftovers(svc.settings.data_dir) == []
    assert len(_sweep_events(svc)) == 2


def test_the_linkage_unit_service_sweeps_when_it_starts(tmp_path: Path) -> None:
    from enclave.linkage_unit.app import create_linkage_unit_app
    from enclave.linkage_unit.service import initialize_linkage_unit, open_linkage_unit_service
    from enclave.linkage_unit.settings import load_linkage_unit_settings
    from tests.enclave.linkage_unit.test_service_api import PG_URL, second_postgres_database

    database = second_postgres_database(PG_URL) if PG_URL.startswith("postgresql") else ""
    settings = load_linkage_unit_settings(environ={}, mode="development", data_dir=str(tmp_path / "lu"),
                                          database_url=database)
    initialize_linkage_unit(settings)
    _killed_mid_write(settings.data_dir)
    service = open_linkage_unit_service(settings)
    try:
        create_linkage_unit_app(service=service)
        assert _leftovers(settings.data_dir) == []
        with service.session() as session:
            events = service.audit.query(session, actor="system", limit=100)
        assert sorted((e.action, e.outcome) for e in events if e.action in ("intake.upload", "store.sweep")) == [
            ("intake.upload", "interrupted"), ("store.sweep", "removed")]
    finally:
        service.close()
