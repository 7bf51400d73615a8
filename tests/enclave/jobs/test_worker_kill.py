"""The kill -9 test: a real ``enclave worker`` killed in the middle of a real stage-4 job.

A worker process runs the risk review (policy, additional processing,
attacks) of a project with synthetic data for 1,000 persons; it is killed
with SIGKILL while the job reports progress. A second worker with a short
lease notices the abandoned job, removes what the dead run left, runs it
again to success, and exactly one result exists, with no orphan object.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from enclave.combination import STAGE4_JOBS, combine_project, deliver_linkage_map
from enclave.combination.datasets import reports_dir
from enclave.db.models import AuditEvent, Job, JobKind, JobState, LinkedDataset, RiskReview, User
from enclave.jobs import start_job
from enclave.service import EnclaveService, open_linkage_unit
from enclave.settings import Settings
from tests.conftest import passable_folder
from tests.enclave.jobs.stage4 import build_stage4_project

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
LEASE_SECONDS = 3


def _worker(settings: Settings, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ENCLAVE_MODE": "development", "ENCLAVE_DATA_DIR": str(settings.data_dir),
           "ENCLAVE_DATABASE_URL": settings.database_url, "ENCLAVE_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
           "PYTHONPATH": str(ROOT), "ENCLAVE_LANG": "en"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-c", "from enclave.cli import main; main()", "worker",
                                 "--poll-seconds", "0.2", *args], env=env, stdout=out, stderr=subprocess.STDOUT,
                                cwd=str(ROOT))


def _job(svc: EnclaveService, job_id: int) -> Job:
    with svc.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def test_a_worker_killed_mid_job_leaves_no_half_result_and_the_job_is_rerun_once(
        svc: EnclaveService, tmp_path: Path) -> None:
    stage4 = build_stage4_project(svc, passable_folder("agencies"), persons=1000, seed=5)
    project_id = stage4.project_id
    linkage_unit = open_linkage_unit(svc.settings, svc)
    try:
        deliver_linkage_map(svc, linkage_unit, project_id, "stella")
    finally:
        linkage_unit.close()
    combine_project(svc, project_id, "stella")
    with svc.session() as session:
        job_id = start_job(svc, session, session.get(User, stage4.users["stella"].id), project_id,
                           JobKind.process, STAGE4_JOBS).id

    log = tmp_path / "workers.log"
    first = _worker(svc.settings, log)
    deadline = time.monotonic() + 240
    while True:
        job = _job(svc, job_id)
        # Mid-run: past reading, inside additional processing or the attacks.
        if job.state is JobState.running and job.stage in ("processing", "attacks"):
            break
        assert job.state in (JobState.queued, JobState.running), (job.state, log.read_text())
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    killed = _job(svc, job_id)
    assert killed.state is JobState.running and killed.attempts == 1
    with svc.session() as session:
        assert session.scalars(select(RiskReview)).all() == []

    time.sleep(LEASE_SECONDS + 1)
    second = _worker(svc.settings, log, "--once")
    assert second.wait(timeout=300) == 0, log.read_text()
    output = log.read_text()
    assert f"job {job_id}: process was abandoned by its worker; now queued" in output
    assert f"job {job_id}: process succeeded" in output

    job = _job(svc, job_id)
    assert job.state is JobState.succeeded and job.attempts == 2 and job.percent == 100
    with svc.session() as session:
        reviews = session.scalars(select(RiskReview).where(RiskReview.project_id == project_id)).all()
        datasets = session.scalars(select(LinkedDataset).where(LinkedDataset.project_id == project_id)).all()
        recovered = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.recover")).all()
    assert len(reviews) == 1 and len(recovered) == 1
    assert sorted(d.stage for d in datasets) == ["combined", "processed"]
    assert reviews[0].dataset_id == next(d.id for d in datasets if d.stage == "processed")
    # No orphan: every stored dataset object is a row's, every report a review's, no temporary file.
    root = svc.store.root
    stored = {p.relative_to(root).as_posix().removesuffix(".enc")
              for p in (root / "projects" / str(project_id)).rglob("*") if p.is_file()}
    assert stored == {d.object_id for d in datasets} | {f"projects/{project_id}/linkage-map"} | {
        s for s in stored if s.startswith(f"projects/{project_id}/submissions/")}
    reports = sorted(p.name for p in reports_dir(svc, project_id).iterdir())
    review_dataset = reviews[0].dataset_id
    assert reports == sorted(["linkage-quality.html", "linkage-quality.json", f"risk-report-{review_dataset}.html",
                              f"risk-report-{review_dataset}.json"])
