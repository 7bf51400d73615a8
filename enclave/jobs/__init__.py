"""Durable jobs: long work a steward starts from a page, the API or a command, run by workers.

The runner is generic: :mod:`~enclave.jobs.queue` keeps the jobs in the
database (start, cancel, claim, heartbeat, recover, end),
:mod:`~enclave.jobs.worker` runs them, :mod:`~enclave.jobs.permissions` says
who may start them, and :mod:`~enclave.jobs.kinds` is what a kind of job is to
the runner. Which kinds exist, and what each does, is decided by the package
that owns the use cases (stage 4: :mod:`enclave.combination.jobs`); this
package never imports it. Why a small database-backed runner and not a queue
library: ``docs/jobs.md``.
"""

from __future__ import annotations

from enclave.jobs.kinds import JobContext, JobRegistry, JobResult, JobSpec, no_cleanup
from enclave.jobs.permissions import can_start_job, check_can_start_job
from enclave.jobs.progress import (
    JobCancelled,
    JobInterrupted,
    JobLost,
    Progress,
    ProgressTracker,
    WorkerStopping,
    no_progress,
)
from enclave.jobs.queue import (
    Recovered,
    active_job,
    beat,
    cancel_job,
    claim_next_job,
    describe_job,
    finish_job,
    list_jobs,
    parse_kind,
    project_jobs,
    recover_stale_jobs,
    requeue_job,
    start_job,
    visible_job,
)
from enclave.jobs.worker import JobOutcome, Worker, new_worker_id

__all__ = [
    "JobCancelled",
    "JobContext",
    "JobInterrupted",
    "JobLost",
    "JobOutcome",
    "JobRegistry",
    "JobResult",
    "JobSpec",
    "Progress",
    "ProgressTracker",
    "Recovered",
    "Worker",
    "WorkerStopping",
    "active_job",
    "beat",
    "can_start_job",
    "cancel_job",
    "check_can_start_job",
    "claim_next_job",
    "describe_job",
    "finish_job",
    "list_jobs",
    "new_worker_id",
    "no_cleanup",
    "no_progress",
    "parse_kind",
    "project_jobs",
    "recover_stale_jobs",
    "requeue_job",
    "start_job",
    "visible_job",
]
