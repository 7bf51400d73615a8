"""What a kind of job is to the runner: a precondition, the work, and a clean-up.

The runner knows no stage-4 use case. Whoever owns the use cases (stage 4:
:mod:`enclave.combination.jobs`) gives it a registry mapping each
:class:`~enclave.db.models.JobKind` to a :class:`JobSpec`, so adding a kind
is one enum member and one registry entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from enclave.db.models import JobKind, Project
from enclave.jobs.progress import Progress

if TYPE_CHECKING:
    from enclave.service import EnclaveService

__all__ = ["JobContext", "JobRegistry", "JobResult", "JobSpec", "no_cleanup"]

#: What a finished job records: figures only (ids, counts, flags), never data.
JobResult = Mapping[str, int | float | bool]


@dataclass(frozen=True)
class JobContext:
    """What a job's work gets: the enclave, the job, who started it, and its progress callback."""

    svc: EnclaveService
    job_id: int
    project_id: int
    actor: str
    progress: Progress


def no_cleanup(svc: EnclaveService, project_id: int) -> int:
    """A clean-up that has nothing to remove."""
    return 0


@dataclass(frozen=True)
class JobSpec:
    """One kind of job.

    Attributes:
        kind: The kind.
        check: Raises :class:`~enclave.errors.Conflict` saying what must happen
            first when the project is not ready for this job; reads only
            through the session it is given.
        run: Does the work and returns a :data:`JobResult`. It must be safe to
            run again after a run that was killed: what it commits, it commits
            together with the rows that make it a result.
        cleanup: Removes what an unfinished run may have left (objects no row
            refers to); run before every attempt and after a failed or
            cancelled one. Returns how many things it removed.
    """

    kind: JobKind
    check: Callable[[EnclaveService, Session, Project], None]
    run: Callable[[JobContext], JobResult]
    cleanup: Callable[[EnclaveService, int], int] = no_cleanup


#: Kind -> spec; built by the package that owns the use cases.
JobRegistry = Mapping[JobKind, JobSpec]
