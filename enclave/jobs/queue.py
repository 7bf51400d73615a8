"""The job queue in the database: start, cancel, claim, heartbeat, recover, end.

Every change of a job is a short transaction on the ``jobs`` table with its
audit event. Claiming takes the oldest queued job: on PostgreSQL with
``SELECT … FOR UPDATE SKIP LOCKED``, so workers on several machines pass over
each other's claims; on SQLite every transaction begins ``IMMEDIATE`` (one
writer at a time), so a select and an update in one transaction cannot race.
A worker's changes are conditional on it still owning the job (``worker_id``
and state ``running``), so a worker whose lease ran out cannot overwrite what
the worker that took the job over records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.db.models import ACTIVE_JOB_STATES, Job, JobKind, JobState, User, utcnow
from enclave.errors import Conflict, InputError, NotFound
from enclave.jobs.kinds import JobRegistry, JobResult
from enclave.jobs.permissions import check_can_start_job
from enclave.messages import text
from enclave.projects import require_project_access
from enclave.service import EnclaveService

__all__ = [
    "Recovered",
    "active_job",
    "beat",
    "cancel_job",
    "claim_next_job",
    "describe_job",
    "finish_job",
    "list_jobs",
    "parse_kind",
    "project_jobs",
    "recover_stale_jobs",
    "requeue_job",
    "start_job",
    "visible_job",
]


def parse_kind(value: str, registry: JobRegistry) -> JobKind:
    """The job kind named ``value``, if the registry runs it.

    Raises:
        InputError: Not a kind of job (the message lists the kinds).
    """
    kinds = ", ".join(k.value for k in registry)
    try:
        kind = JobKind(str(value).strip())
    except ValueError:
        raise InputError(text("jobs.unknown_kind", kinds=kinds)) from None
    if kind not in registry:
        raise InputError(text("jobs.unknown_kind", kinds=kinds))
    return kind


def active_job(session: Session, project_id: int) -> Job | None:
    """The project's queued or running job, if any (there is at most one)."""
    return session.scalar(select(Job).where(Job.project_id == project_id, Job.state.in_(ACTIVE_JOB_STATES)))


def project_jobs(session: Session, project_id: int, limit: int = 50) -> list[Job]:
    """The project's jobs, newest first."""
    return list(session.scalars(select(Job).where(Job.project_id == project_id)
                                .order_by(Job.id.desc()).limit(limit)))


def list_jobs(session: Session, *, project_id: int | None = None, states: Sequence[JobState] = (),
              limit: int = 200) -> list[Job]:
    """Jobs, newest first, of one project and in some states when asked."""
    stmt = select(Job).order_by(Job.id.desc()).limit(limit)
    if project_id is not None:
        stmt = stmt.where(Job.project_id == project_id)
    if states:
        stmt = stmt.where(Job.state.in_(tuple(states)))
    return list(session.scalars(stmt))


def visible_job(session: Session, user: User, job_id: int) -> Job:
    """The job, if ``user`` may see its project and may start jobs on it.

    Raises:
        NotFound: No such job, or not the user's to see (never says which).
        PermissionDenied: The user sees the project but may not act on its jobs.
    """
    job = session.get(Job, job_id)
    if job is None:
        raise NotFound(text("jobs.not_found"))
    try:
        project = require_project_access(session, user, job.project_id)
    except NotFound:
        raise NotFound(text("jobs.not_found")) from None
    check_can_start_job(user, project)
    return job


def start_job(svc: EnclaveService, session: Session, user: User, project_id: int, kind: JobKind,
              registry: JobRegistry, *, channel: str = "web") -> Job:
    """Queue a job of ``kind`` on the project, in the caller's transaction.

    Args:
        svc: The open enclave.
        session: The caller's transaction; the job exists once it commits.
        user: The steward or admin starting it.
        project_id: The project.
        kind: What to run.
        registry: The kinds that can run, with their preconditions.
        channel: Where it was started (``web``, ``api``, ``cli``), for the audit log.

    Returns:
        The queued job.

    Raises:
        NotFound: No such project, or not the user's to see.
        PermissionDenied: The user may not decide on this project.
        Conflict: Another job of the project is queued or running (a second
            click), or the project is not ready for this job (the message says
            what must happen first). Nothing is changed then.
    """
    project = require_project_access(session, user, project_id)
    refusal: dict[str, object] = {"actor": user.username, "action": "job.start", "object_type": "project",
                                  "object_id": project_id, "outcome": "denied", "kind": kind.value,
                                  "channel": channel}
    check_can_start_job(user, project, audit={**refusal, "reason": "permission"})
    spec = registry.get(kind)
    if spec is None:
        raise InputError(text("jobs.unknown_kind", kinds=", ".join(k.value for k in registry)))
    busy = active_job(session, project_id)
    if busy is not None:
        raise Conflict(text("jobs.already_active", job_id=busy.id, kind=busy.kind.value, state=busy.state.value),
                       audit={**refusal, "reason": "active_job", "job": busy.id})
    try:
        spec.check(svc, session, project)
    except Conflict as error:
        raise Conflict(error.message, audit={**refusal, "reason": "precondition"}) from None
    job = Job(project_id=project_id, kind=kind, state=JobState.queued, started_by=user.username)
    try:
        # The partial unique index decides a race two transactions both won above (PostgreSQL).
        with session.begin_nested():
            session.add(job)
            session.flush()
    except IntegrityError:
        raise Conflict(text("jobs.already_active_race"), audit={**refusal, "reason": "active_job"}) from None
    svc.audit.record(session, actor=user.username, action="job.start", object_type="project",
                     object_id=project_id, job=job.id, kind=kind.value, channel=channel)
    return job


def cancel_job(svc: EnclaveService, session: Session, user: User, job_id: int, *, channel: str = "web") -> Job:
    """Cancel a queued job at once, or ask a running one to stop at its next step.

    Raises:
        NotFound: No such job, or not the user's to see.
        PermissionDenied: The user may not act on the project's jobs.
        Conflict: The job has ended, or its cancellation was already asked for.
    """
    job = visible_job(session, user, job_id)
    now = utcnow()
    # Conditional updates: a worker may claim the job between our read and our write.
    done = session.execute(update(Job).where(Job.id == job_id, Job.state == JobState.queued)
                           .values(state=JobState.cancelled, finished_at=now, cancel_requested=True))
    if done.rowcount:  # type: ignore[attr-defined]
        outcome = "cancelled"
    else:
        asked = session.execute(update(Job).where(Job.id == job_id, Job.state == JobState.running,
                                                  Job.cancel_requested.is_(False))
                                .values(cancel_requested=True))
        if not asked.rowcount:  # type: ignore[attr-defined]
            session.refresh(job)
            if job.state is JobState.running:
                raise Conflict(text("jobs.cancel_already_requested", job_id=job_id))
            raise Conflict(text("jobs.already_finished", job_id=job_id, state=job.state.value))
        outcome = "requested"
    session.refresh(job)
    svc.audit.record(session, actor=user.username, action="job.cancel", object_type="project",
                     object_id=job.project_id, job=job.id, kind=job.kind.value, result=outcome, channel=channel)
    return job


def claim_next_job(svc: EnclaveService, worker_id: str) -> Job | None:
    """Claim the oldest queued job for ``worker_id``; ``None`` when the queue is empty.

    The partial unique index lets a project hold one queued-or-running job at
    a time, so the oldest queued job's project has no running job.
    """
    with svc.db.session() as session:
        job = session.scalar(select(Job).where(Job.state == JobState.queued).order_by(Job.id).limit(1)
                             .with_for_update(skip_locked=True))
        if job is None:
            return None
        now = utcnow()
        job.state = JobState.running
        job.worker_id = worker_id
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        job.stage, job.percent, job.error = "starting", 0, ""
        svc.audit.record(session, actor="system", action="job.claim", object_type="project",
                         object_id=job.project_id, job=job.id, kind=job.kind.value, worker=worker_id,
                         attempt=job.attempts)
        return job


def beat(svc: EnclaveService, job_id: int, worker_id: str, stage: str, percent: int) -> tuple[bool, bool]:
    """Renew the lease of a running job and write its progress.

    Returns:
        Whether the worker still owns the job, and whether cancellation was asked for.
    """
    with svc.db.session() as session:
        renewed = session.execute(
            update(Job).where(Job.id == job_id, Job.worker_id == worker_id, Job.state == JobState.running)
            .values(heartbeat_at=utcnow(), stage=stage[:60], percent=percent))
        if not renewed.rowcount:  # type: ignore[attr-defined]
            return False, False
        return True, bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def finish_job(svc: EnclaveService, job_id: int, worker_id: str, state: JobState, *, error: str = "",
               result: JobResult | None = None, reason: str = "") -> bool:
    """Record the end of a job this worker owns (succeeded, failed or cancelled).

    Returns:
        Whether it was recorded (``False``: another worker owns the job now).
    """
    values: dict[str, object] = {"state": state, "finished_at": utcnow(), "error": error,
                                 "result": json.dumps(dict(result or {}), sort_keys=True)}
    if state is JobState.succeeded:
        values.update(stage="done", percent=100)
    with svc.db.session() as session:
        ended = session.execute(update(Job).where(Job.id == job_id, Job.worker_id == worker_id,
                                                  Job.state == JobState.running).values(**values))
        if not ended.rowcount:  # type: ignore[attr-defined]
            return False
        job = session.get(Job, job_id)
        assert job is not None
        details: dict[str, object] = {"job": job_id, "kind": job.kind.value, "worker": worker_id}
        if reason:
            details["reason"] = reason
        details.update({k: v for k, v in (result or {}).items() if isinstance(v, int | float | bool)})
        svc.audit.record(session, actor="system", action="job.end", object_type="project",
                         object_id=job.project_id, outcome={"succeeded": "ok", "cancelled": "ok"}.get(
                             state.value, "failed"), state=state.value, **details)  # type: ignore[arg-type]
        return True


def requeue_job(svc: EnclaveService, job_id: int, worker_id: str) -> bool:
    """Put a job this worker owns back in the queue (the worker is stopping); the attempt does not count."""
    with svc.db.session() as session:
        job = session.scalar(select(Job).where(Job.id == job_id, Job.worker_id == worker_id,
                                               Job.state == JobState.running))
        if job is None:
            return False
        job.state, job.worker_id, job.heartbeat_at = JobState.queued, None, None
        job.attempts = max(0, job.attempts - 1)
        job.stage, job.percent = "", 0
        svc.audit.record(session, actor="system", action="job.requeue", object_type="project",
                         object_id=job.project_id, job=job.id, kind=job.kind.value, reason="worker_stopped")
        return True


@dataclass(frozen=True)
class Recovered:
    """A job found abandoned by its worker, and what became of it."""

    job_id: int
    project_id: int
    kind: JobKind
    state: JobState


def recover_stale_jobs(svc: EnclaveService, lease_seconds: int, max_attempts: int) -> list[Recovered]:
    """Requeue or end running jobs whose worker stopped renewing their lease.

    A job that has been started ``max_attempts`` times is marked failed; one
    whose cancellation was asked for is marked cancelled; any other goes back
    to the queue. What the dead run left is removed by the kind's clean-up
    before the next attempt (the worker calls it).
    """
    cutoff = utcnow() - dt.timedelta(seconds=lease_seconds)
    found: list[Recovered] = []
    with svc.db.session() as session:
        stale = session.scalars(select(Job).where(Job.state == JobState.running, Job.heartbeat_at < cutoff)
                                .order_by(Job.id).with_for_update(skip_locked=True)).all()
        for job in stale:
            before = job.worker_id or ""
            if job.cancel_requested:
                job.state, job.finished_at = JobState.cancelled, utcnow()
            elif job.attempts < max_attempts:
                job.state, job.worker_id, job.heartbeat_at = JobState.queued, None, None
                job.stage, job.percent = "", 0
            else:
                job.state, job.finished_at = JobState.failed, utcnow()
                job.error = text("jobs.abandoned", attempts=job.attempts)
            svc.audit.record(session, actor="system", action="job.recover", object_type="project",
                             object_id=job.project_id, job=job.id, kind=job.kind.value, worker=before,
                             attempt=job.attempts, result=job.state.value)
            found.append(Recovered(job.id, job.project_id, job.kind, job.state))
    return found


def describe_job(job: Job) -> dict[str, object]:
    """A job as the API and the CLI show it: states, times, progress, figures; never data."""

    def iso(value: dt.datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {"id": job.id, "project_id": job.project_id, "kind": job.kind.value, "state": job.state.value,
            "started_by": job.started_by, "created_at": iso(job.created_at), "started_at": iso(job.started_at),
            "finished_at": iso(job.finished_at), "heartbeat_at": iso(job.heartbeat_at),
            "attempts": job.attempts, "stage": job.stage, "percent": job.percent, "error": job.error,
            "cancel_requested": job.cancel_requested, "result": json.loads(job.result or "{}")}
