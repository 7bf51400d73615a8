"""How long work reports where it is, and how a job is stopped between steps.

A stage-4 function takes a ``progress`` callback and calls it at its natural
steps with a stage id and a percentage. Outside a job the callback does
nothing; inside one it records the figures for the heartbeat to write, and it
is where the work stops cooperatively: it raises :class:`JobCancelled` when a
steward cancelled the job, :class:`WorkerStopping` when the worker was asked
to stop, and :class:`JobLost` when another worker took the job over. Raising
at a step boundary, never in the middle of a write, is what lets a cancelled
job leave nothing half-written behind.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

__all__ = ["JobCancelled", "JobInterrupted", "JobLost", "Progress", "ProgressTracker", "WorkerStopping",
           "no_progress"]

#: ``progress(stage, percent)``: ``stage`` is a message id suffix (``jobs.stage.<stage>``), never data.
Progress = Callable[[str, int], None]


def no_progress(stage: str, percent: int) -> None:
    """The default progress callback: report nothing, never stop."""


class JobInterrupted(Exception):
    """The job's work stopped at a step boundary on purpose (not a failure of the work)."""


class JobCancelled(JobInterrupted):
    """A steward cancelled the job."""


class WorkerStopping(JobInterrupted):
    """The worker was asked to stop (SIGTERM, SIGINT); the job goes back to the queue."""


class JobLost(JobInterrupted):
    """Another worker took the job over after this worker's lease ran out."""


class ProgressTracker:
    """The latest progress of one running job, shared by its work and its heartbeat.

    Args:
        stopping: Set when the worker is asked to stop.
    """

    def __init__(self, stopping: threading.Event) -> None:
        self._lock = threading.Lock()
        self._stopping = stopping
        self.stage = "starting"
        self.percent = 0
        self.cancel_requested = False
        self.lost = False

    def report(self, stage: str, percent: int) -> None:
        """Record progress (the :data:`Progress` callback) and stop here if the job must stop.

        Raises:
            JobLost: Another worker owns the job now.
            JobCancelled: A steward cancelled it.
            WorkerStopping: The worker is stopping.
        """
        with self._lock:
            self.stage = stage
            self.percent = max(0, min(100, int(percent)))
        self.check()

    def check(self) -> None:
        """Raise if the job must stop now (see :meth:`report`)."""
        if self.lost:
            raise JobLost("job taken over by another worker")
        if self.cancel_requested:
            raise JobCancelled("job cancelled")
        if self._stopping.is_set():
            raise WorkerStopping("worker stopping")

    def snapshot(self) -> tuple[str, int]:
        """The stage and percentage to write with the next heartbeat."""
        with self._lock:
            return self.stage, self.percent
