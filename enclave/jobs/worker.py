"""The worker: claims queued jobs, runs them, keeps their lease, records how they ended.

One worker runs one job at a time. While a job runs, a heartbeat thread
renews its lease every few seconds and writes its progress; a worker killed
outright stops renewing, and once ``ENCLAVE_JOB_LEASE_SECONDS`` have passed
any worker requeues the job (or marks it failed after
``ENCLAVE_JOB_MAX_ATTEMPTS`` starts). Before every attempt the kind's clean-up
removes what an unfinished run left, so the next run starts clean.

A failure is recorded with a message that never holds data: an
:class:`~enclave.errors.EnclaveError`'s own user message, or for anything
else a fixed sentence with an error id; the operator log gets the id, the
exception's class and where it was raised, never its text.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from enclave.db import current_revision, head_revision
from enclave.db.models import Job, JobState
from enclave.errors import EnclaveError, SchemaTooNew
from enclave.jobs.kinds import JobContext, JobRegistry, JobResult
from enclave.jobs.progress import JobCancelled, JobLost, ProgressTracker, WorkerStopping
from enclave.jobs.queue import beat, claim_next_job, finish_job, recover_stale_jobs, requeue_job
from enclave.messages import text
from enclave.service import EnclaveService

__all__ = ["JobOutcome", "Worker", "new_worker_id"]

log = logging.getLogger("enclave.jobs")


def new_worker_id() -> str:
    """A name for this worker that is unique across machines: host, process, random suffix."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(3)}"


@dataclass(frozen=True)
class JobOutcome:
    """How one job this worker ran ended."""

    job_id: int
    project_id: int
    kind: str
    state: JobState
    error: str = ""


def _where_raised(error: BaseException) -> str:
    # File, line and function of each frame: enough to find the bug, and no
    # exception text or local value, which could hold a record's content.
    frames = traceback.extract_tb(error.__traceback__)
    return " <- ".join(f"{os.path.basename(f.filename)}:{f.lineno}:{f.name}" for f in reversed(frames[-8:]))


class _Heartbeat(threading.Thread):
    """Renews the lease of one running job and writes its progress, every ``interval`` seconds."""

    def __init__(self, svc: EnclaveService, job_id: int, worker_id: str, tracker: ProgressTracker,
                 interval: float) -> None:
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.svc, self.job_id, self.worker_id, self.tracker = svc, job_id, worker_id, tracker
        self.interval = interval
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            stage, percent = self.tracker.snapshot()
            try:
                owned, cancel = beat(self.svc, self.job_id, self.worker_id, stage, percent)
            except Exception as error:  # noqa: BLE001 — a busy database must not end the job; retry next beat
                log.warning("heartbeat of job %s failed (%s); retrying", self.job_id, type(error).__name__)
                continue
            self.tracker.lost = not owned
            self.tracker.cancel_requested = cancel
            if not owned:
                return

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=30)


class Worker:
    """Runs stage-4 jobs from the queue.

    Args:
        svc: The open enclave.
        registry: The kinds this worker runs.
        worker_id: Its name in the jobs table (default: host, process, random).
        poll_seconds: How long to wait when the queue is empty.
        lease_seconds: Seconds without a heartbeat after which a job is abandoned
            (default ``ENCLAVE_JOB_LEASE_SECONDS``).
        max_attempts: Starts after which an abandoned job fails (default ``ENCLAVE_JOB_MAX_ATTEMPTS``).
        echo: Where the worker says what it ran.
    """

    def __init__(self, svc: EnclaveService, registry: JobRegistry, *, worker_id: str | None = None,
                 poll_seconds: float = 2.0, lease_seconds: int | None = None, max_attempts: int | None = None,
                 echo: Callable[[str], None] | None = None) -> None:
        self.svc = svc
        self.registry = registry
        self.worker_id = worker_id or new_worker_id()
        self.poll_seconds = poll_seconds
        self.lease_seconds = lease_seconds or svc.settings.job_lease_seconds
        self.max_attempts = max_attempts or svc.settings.job_max_attempts
        self.echo = echo or (lambda line: None)
        self.stopping = threading.Event()

    @property
    def heartbeat_seconds(self) -> float:
        """How often a running job's lease is renewed: well inside the lease, at most every 2 s."""
        return max(0.2, min(2.0, self.lease_seconds / 4))

    def stop(self) -> None:
        """Ask the worker to stop: a running job goes back to the queue at its next step."""
        self.stopping.set()

    def check_schema(self) -> None:
        """Refuse to go on when the database was migrated by another version meanwhile.

        Raises:
            SchemaTooNew: The schema is not the one this software knows.
        """
        revision = current_revision(self.svc.db)
        if revision != head_revision():
            raise SchemaTooNew(text("jobs.schema_changed", revision=revision or "-"))

    def recover(self) -> None:
        """Requeue or end abandoned jobs; clean up after those that ended."""
        for found in recover_stale_jobs(self.svc, self.lease_seconds, self.max_attempts):
            self.echo(text("jobs.worker_recovered", job_id=found.job_id, kind=found.kind.value,
                           state=found.state.value))
            spec = self.registry.get(found.kind)
            if spec is not None and found.state is not JobState.queued:
                self._cleanup(spec.cleanup, found.project_id, found.job_id)

    def run_once(self) -> JobOutcome | None:
        """Recover abandoned jobs, then claim and run one job; ``None`` when none was queued."""
        self.check_schema()
        self.recover()
        if self.stopping.is_set():
            return None
        job = claim_next_job(self.svc, self.worker_id)
        if job is None:
            return None
        self.echo(text("jobs.worker_claimed", job_id=job.id, kind=job.kind.value, project_id=job.project_id,
                       attempt=job.attempts))
        outcome = self.execute(job)
        self.echo(text("jobs.worker_ended", job_id=job.id, kind=job.kind.value, state=outcome.state.value))
        return outcome

    def run(self, *, once: bool = False) -> int:
        """Run jobs until stopped (or one round with ``once``); returns how many jobs ran.

        First clears what killed processes left in the data folder (an upload
        or a write cut short), each with an audit event.
        """
        self.svc.sweep_interrupted_writes()
        ran = 0
        while not self.stopping.is_set():
            outcome = self.run_once()
            ran += outcome is not None
            if once:
                break
            if outcome is None:
                self.stopping.wait(self.poll_seconds)
        return ran

    def _cleanup(self, cleanup: Callable[[EnclaveService, int], int], project_id: int, job_id: int) -> None:
        try:
            removed = cleanup(self.svc, project_id)
        except Exception as error:  # noqa: BLE001 — clean-up is best effort; the next attempt runs it again
            log.error("clean-up for job %s failed: %s at %s", job_id, type(error).__name__, _where_raised(error))
            return
        if removed:
            log.info("clean-up for job %s removed %s leftovers of an unfinished run", job_id, removed)

    def execute(self, job: Job) -> JobOutcome:
        """Run one claimed job to its end and record the end."""
        spec = self.registry.get(job.kind)
        kind = job.kind.value
        if spec is None:
            message = text("jobs.kind_not_here", kind=kind)
            finish_job(self.svc, job.id, self.worker_id, JobState.failed, error=message, reason="unknown_kind")
            return JobOutcome(job.id, job.project_id, kind, JobState.failed, message)
        tracker = ProgressTracker(self.stopping)
        heartbeat = _Heartbeat(self.svc, job.id, self.worker_id, tracker, self.heartbeat_seconds)
        heartbeat.start()
        state, error, reason = JobState.failed, "", ""
        result: JobResult = {}
        try:
            self._cleanup(spec.cleanup, job.project_id, job.id)
            context = JobContext(svc=self.svc, job_id=job.id, project_id=job.project_id, actor=job.started_by,
                                 progress=tracker.report)
            result = spec.run(context)
            state = JobState.succeeded
        except JobLost:
            log.warning("job %s was taken over by another worker; this run's end is not recorded", job.id)
            heartbeat.stop()
            return JobOutcome(job.id, job.project_id, kind, JobState.running)
        except JobCancelled:
            state, reason = JobState.cancelled, "cancelled"
        except WorkerStopping:
            heartbeat.stop()
            self._cleanup(spec.cleanup, job.project_id, job.id)
            requeue_job(self.svc, job.id, self.worker_id)
            return JobOutcome(job.id, job.project_id, kind, JobState.queued)
        except EnclaveError as failure:
            error, reason = failure.message, type(failure).__name__
            log.warning("job %s (%s) failed: %s", job.id, kind, failure.log_message)
        except Exception as failure:  # noqa: BLE001 — any bug ends the job, not the worker
            error_id = secrets.token_hex(4)
            error, reason = text("jobs.failed_unexpectedly", error_id=error_id), "unexpected"
            log.error("job %s (%s) failed with error id %s: %s at %s", job.id, kind, error_id,
                      type(failure).__name__, _where_raised(failure))
        finally:
            heartbeat.stop()
        if state is not JobState.succeeded:
            self._cleanup(spec.cleanup, job.project_id, job.id)
        if not finish_job(self.svc, job.id, self.worker_id, state, error=error, result=result, reason=reason):
            log.warning("job %s was taken over by another worker before it ended here", job.id)
        return JobOutcome(job.id, job.project_id, kind, state, error)
