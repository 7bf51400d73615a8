"""Durable jobs: stage-4 work a steward starts and a worker runs.

A job is a row in the same database as the project it changes, so starting
one, claiming it and recording its end are transactions like any other. The
partial unique index ``uq_jobs_active_project`` allows at most one queued or
running job per project on SQLite and PostgreSQL alike: a second click, or
two stage-4 jobs of one project at once, is refused by the database itself.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["ACTIVE_JOB_STATES", "Job", "JobKind", "JobState"]


class JobState(enum.Enum):
    """Where a job is in its life."""

    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"

    @property
    def is_finished(self) -> bool:
        """Whether the job has ended (it will not run again)."""
        return self in (JobState.succeeded, JobState.failed, JobState.cancelled)


#: States in which a job holds its project: at most one such job per project.
ACTIVE_JOB_STATES = (JobState.queued, JobState.running)


class JobKind(enum.Enum):
    """What a job does; each kind has one entry in the stage-4 job registry."""

    link = "link"
    combine = "combine"
    process = "process"
    replica = "replica"
    provide = "provide"


_ACTIVE = "state IN ('queued', 'running')"


class Job(Base):
    """One stage-4 job: who started it, where it is, and what came of it (figures only)."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("uq_jobs_active_project", "project_id", unique=True,
              sqlite_where=text(_ACTIVE), postgresql_where=text(_ACTIVE)),
        Index("ix_jobs_state_id", "state", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[JobKind] = mapped_column(Enum(JobKind, name="job_kind", native_enum=False, length=30))
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="job_state", native_enum=False, length=20), default=JobState.queued)
    started_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    worker_id: Mapped[str | None] = mapped_column(String(120), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # A message id of the stage (``jobs.stage.<id>``), never free text: pages translate it.
    stage: Mapped[str] = mapped_column(String(60), default="")
    percent: Mapped[int] = mapped_column(Integer, default=0)
    # What the starter reads when the job failed: a message that never holds data.
    error: Mapped[str] = mapped_column(Text, default="")
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    # Figures only (ids, counts, flags) as JSON.
    result: Mapped[str] = mapped_column(Text, default="{}")
