"""The generic runner with kinds of its own: claiming, exclusivity, progress, cancellation, failure, recovery.

The kinds here are real functions handed to the runner's registry (the runner
takes any registry); the stage-4 kinds themselves are exercised in
``test_stage4_jobs.py`` and in the kill test.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import MappingProxyType

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError

from enclave.db.models import AuditEvent, Job, JobKind, JobState, User, utcnow
from enclave.errors import Conflict, InputError, PermissionDenied, SchemaTooNew
from enclave.jobs import (
    JobContext,
    JobSpec,
    Worker,
    cancel_job,
    claim_next_job,
    start_job,
)
from enclave.service import EnclaveService, open_enclave
from tests.enclave.domain_fixtures import World, apply, build_world


def _registry(run: Callable[[JobContext], dict], cleanup: Callable[[EnclaveService, int], int] | None = None):
    spec = JobSpec(JobKind.link, check=lambda svc, session, project: None, run=run,
                   cleanup=cleanup or (lambda svc, project_id: 0))
    return MappingProxyType({JobKind.link: spec})


def _start(svc: EnclaveService, world: World, project_id: int, registry, who: str = "carol") -> int:
    with svc.session() as session:
        return start_job(svc, session, session.get(User, world.users[who].id), project_id, JobKind.link,
                         registry).id


def _job(svc: EnclaveService, job_id: int) -> Job:
    with svc.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _wait_for(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


@pytest.fixture
def world(svc: EnclaveService) -> World:
    return build_world(svc)


def test_a_second_click_is_refused_with_a_clear_message_and_changes_nothing(svc: EnclaveService,
                                                                            world: World) -> None:
    registry = _registry(lambda ctx: {})
    project_id = apply(svc, world)
    first = _start(svc, world, project_id, registry)
    with pytest.raises(Conflict, match=f"Job {first} \\(link\\) of this project is already queued"):
        _start(svc, world, project_id, registry)
    with svc.session() as session:
        assert session.scalars(select(Job.id)).all() == [first]
        refusals = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.start",
                                                            AuditEvent.outcome == "denied")).all()
    assert len(refusals) == 1 and '"reason": "active_job"' in refusals[0].details


def test_the_database_itself_refuses_two_active_jobs_of_one_project(svc: EnclaveService, world: World) -> None:
    project_id, other = apply(svc, world), apply(svc, world)
    with svc.session() as session:
        session.add(Job(project_id=project_id, kind=JobKind.link, started_by="carol"))
    with pytest.raises(IntegrityError), svc.session() as session:
        session.add(Job(project_id=project_id, kind=JobKind.combine, state=JobState.running,
                        started_by="carol"))
    with svc.session() as session:
        # Ended jobs and other projects' jobs do not count.
        session.add(Job(project_id=project_id, kind=JobKind.link, state=JobState.failed, started_by="carol"))
        session.add(Job(project_id=other, kind=JobKind.link, started_by="carol"))
    with svc.session() as session:
        assert len(session.scalars(select(Job)).all()) == 3


@pytest.mark.parametrize(("who", "error"), [
    ("alice", PermissionDenied),  # the researcher who applied
    ("welfare", PermissionDenied),  # an agency whose data the project asks for
    ("carol", None),  # a steward not on the team
    ("erin", None),  # an admin
])
def test_only_a_steward_or_admin_who_may_decide_starts_jobs(svc: EnclaveService, world: World, who: str,
                                                           error: type[Exception] | None) -> None:
    project_id = apply(svc, world)
    registry = _registry(lambda ctx: {})
    if error is None:
        assert _job(svc, _start(svc, world, project_id, registry, who)).started_by == who
        return
    with pytest.raises(error, match="not on the project's team"):
        _start(svc, world, project_id, registry, who)
    with svc.session() as session:
        assert session.scalars(select(Job)).all() == []


def test_a_steward_on_the_team_may_not_start_its_jobs(svc: EnclaveService, world: World) -> None:
    from enclave.db.models import ProjectMember

    project_id = apply(svc, world)
    with svc.session() as session:
        session.add(ProjectMember(project_id=project_id, user_id=world.users["dave"].id))
    with pytest.raises(PermissionDenied):
        _start(svc, world, project_id, _registry(lambda ctx: {}), "dave")


def test_two_workers_racing_over_many_jobs_run_each_exactly_once(svc: EnclaveService, world: World) -> None:
    runs: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(ctx: JobContext) -> dict:
        with lock:
            runs.append((ctx.job_id, threading.current_thread().name))
        ctx.progress("working", 50)
        time.sleep(0.02)
        return {"done": 1}

    registry = _registry(run)
    jobs = [_start(svc, world, apply(svc, world), registry) for _ in range(16)]
    services = [open_enclave(svc.settings) for _ in range(2)]
    workers = [Worker(s, registry, worker_id=f"w{i}", poll_seconds=0.05) for i, s in enumerate(services)]

    def drain(worker: Worker) -> None:
        while worker.run_once() is not None:
            pass

    threads = [threading.Thread(target=drain, args=(w,), name=w.worker_id) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for service in services:
        service.close()
    counts = Counter(job_id for job_id, _ in runs)
    assert sorted(counts) == sorted(jobs)
    assert set(counts.values()) == {1}
    with svc.session() as session:
        ended = session.scalars(select(Job)).all()
        assert {j.state for j in ended} == {JobState.succeeded}
        assert all(j.attempts == 1 and j.percent == 100 and j.result == '{"done": 1}' for j in ended)
        claims = session.scalars(select(AuditEvent).where(AuditEvent.action == "job.claim")).all()
    assert len(claims) == len(jobs)


def test_progress_is_written_while_the_job_runs_and_cancellation_stops_it_cleanly(
        svc: EnclaveService, world: World) -> None:
    cleaned: list[int] = []

    def run(ctx: JobContext) -> dict:
        for step in range(2000):
            ctx.progress("working", step // 20)
            time.sleep(0.01)
        return {}

    registry = _registry(run, cleanup=lambda s, project_id: cleaned.append(project_id) or 0)
    project_id = apply(svc, world)
    job_id = _start(svc, world, project_id, registry)
    worker = Worker(svc, registry, lease_seconds=2)
    thread = threading.Thread(target=worker.run_once)
    thread.start()
    _wait_for(lambda: _job(svc, job_id).percent > 0)
    assert _job(svc, job_id).stage == "working" and _job(svc, job_id).state is JobState.running
    with svc.session() as session:
        cancel_job(svc, session, session.get(User, world.users["carol"].id), job_id)
    thread.join(timeout=30)
    job = _job(svc, job_id)
    assert job.state is JobState.cancelled and job.finished_at is not None
    # Cleaned before the attempt and after the cancellation.
    assert cleaned == [project_id, project_id]
    with pytest.raises(Conflict, match="already ended"), svc.session() as session:
        cancel_job(svc, session, session.get(User, world.users["carol"].id), job_id)


def test_a_queued_job_is_cancelled_at_once_and_never_runs(svc: EnclaveService, world: World) -> None:
    ran: list[int] = []
    registry = _registry(lambda ctx: ran.append(ctx.job_id) or {})
    job_id = _start(svc, world, apply(svc, world), registry)
    with svc.session() as session:
        cancel_job(svc, session, session.get(User, world.users["erin"].id), job_id)
    assert Worker(svc, registry).run_once() is None
    assert ran == [] and _job(svc, job_id).state is JobState.cancelled


def test_a_failure_is_recorded_without_the_data_its_exception_held(svc: EnclaveService, world: World,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    def leaky(ctx: JobContext) -> dict:
        raise ValueError("row of KIM MINSU 900101-1234567")

    def refused(ctx: JobContext) -> dict:
        raise InputError("The policy names a column the data lacks: add it to the policy.")

    caplog.set_level(logging.DEBUG)
    first = _start(svc, world, apply(svc, world), _registry(leaky))
    Worker(svc, _registry(leaky)).run_once()
    job = _job(svc, first)
    assert job.state is JobState.failed
    assert "error id" in job.error and "KIM" not in job.error and "900101" not in job.error
    assert "KIM" not in caplog.text and "900101" not in caplog.text and "ValueError" in caplog.text
    second = _start(svc, world, apply(svc, world), _registry(refused))
    Worker(svc, _registry(refused)).run_once()
    assert _job(svc, second).error == "The policy names a column the data lacks: add it to the policy."


def _abandon(svc: EnclaveService, job_id: int) -> None:
    with svc.session() as session:
        session.execute(update(Job).where(Job.id == job_id)
                        .values(heartbeat_at=utcnow() - dt.timedelta(seconds=120)))


def test_an_abandoned_job_is_requeued_and_fails_after_its_last_attempt(svc: EnclaveService,
                                                                       world: World) -> None:
    cleaned: list[int] = []
    registry = _registry(lambda ctx: {}, cleanup=lambda s, project_id: cleaned.append(project_id) or 0)
    project_id = apply(svc, world)
    job_id = _start(svc, world, project_id, registry)
    survivor = Worker(svc, registry, lease_seconds=30, max_attempts=2)
    for attempt in (1, 2):
        claimed = claim_next_job(svc, "dead-worker")
        assert claimed is not None and claimed.id == job_id and claimed.attempts == attempt
        survivor.recover()
        assert _job(svc, job_id).state is JobState.running  # its lease has not run out
        _abandon(svc, job_id)
        survivor.recover()
    job = _job(svc, job_id)
    assert job.state is JobState.failed and "stopped answering, 2 times" in job.error
    assert cleaned == [project_id]
    with svc.session() as session:
        recoveries = session.scalars(select(AuditEvent.details).where(AuditEvent.action == "job.recover")).all()
    assert ['"result": "queued"' in r for r in recoveries] == [True, False]


def test_a_worker_stops_when_the_schema_becomes_newer(svc: EnclaveService, world: World) -> None:
    registry = _registry(lambda ctx: {})
    job_id = _start(svc, world, apply(svc, world), registry)
    with svc.session() as session:
        session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(SchemaTooNew, match="revision 9999"):
        Worker(svc, registry).run_once()
    assert _job(svc, job_id).state is JobState.queued
