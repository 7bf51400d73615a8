"""``enclave jobs`` and ``enclave worker``: start, watch and cancel stage-4 jobs, and run them.

The acting steward or admin is named with ``--as`` and checked by the same
rule as on the pages and the API (:func:`enclave.jobs.can_start_job`); the
audit log records them, and the command's channel ``cli``.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from types import FrameType

import click

from enclave.cli.context import CliContext
from enclave.db.models import Job, JobState
from enclave.errors import NotFound
from enclave.jobs import cancel_job, describe_job, list_jobs, parse_kind, start_job
from enclave.messages import text
from enclave.users import find_user

__all__ = ["jobs_group", "worker_command"]

pass_cli = click.make_pass_decorator(CliContext)

_STATES = [s.value for s in JobState]


@click.group("jobs")
def jobs_group() -> None:
    """Start, list, show and cancel stage-4 jobs (link, combine, process, replica)."""


def _line(job: Job) -> str:
    progress = f"{job.stage} {job.percent}%" if job.state is JobState.running else ""
    return (f"{job.id:>5}  {job.project_id:>7}  {job.kind.value:<8} {job.state.value:<10} "
            f"{job.started_by:<16} {job.created_at:%Y-%m-%d %H:%M}  {progress}")


def _poll(ctx: CliContext, job_id: int) -> Job:
    with ctx.service().session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _wait(ctx: CliContext, job_id: int) -> Job:
    """Follow a job to its end: a progress bar on a terminal, a line per change otherwise (logs, pipes)."""
    if not sys.stdout.isatty():
        seen: tuple[str, int] | None = None
        while True:
            job = _poll(ctx, job_id)
            now = (job.stage, job.percent)
            if now != seen and job.stage:
                click.echo(f"job {job_id}: {job.stage} {job.percent}%")
                seen = now
            if job.state.is_finished:
                return job
            time.sleep(1.0)
    last = 0
    with click.progressbar(length=100, label=f"job {job_id}", show_percent=True) as bar:
        while True:
            job = _poll(ctx, job_id)
            percent = 100 if job.state is JobState.succeeded else job.percent
            if percent > last:
                bar.update(percent - last)
                last = percent
            if job.state.is_finished:
                return job
            time.sleep(1.0)


@jobs_group.command("start")
@click.argument("project_id", type=int)
@click.argument("kind")
@click.option("--as", "acting", required=True, help="The steward or admin starting it (not on the project's team).")
@click.option("--wait", is_flag=True, help="Show its progress until it ends; exit non-zero unless it succeeded.")
@pass_cli
def start_command(ctx: CliContext, project_id: int, kind: str, acting: str, wait: bool) -> None:
    """Queue a stage-4 job of KIND (link, combine, process, replica) on project PROJECT_ID."""
    from enclave.combination import STAGE4_JOBS

    svc = ctx.service()
    with svc.session() as session:
        job = start_job(svc, session, find_user(session, acting), project_id, parse_kind(kind, STAGE4_JOBS),
                        STAGE4_JOBS, channel="cli")
        job_id = job.id
    click.echo(text("jobs.started", job_id=job_id, kind=kind, project_id=project_id))
    if wait:
        ended = _wait(ctx, job_id)
        if ended.state is JobState.failed:
            click.echo(text("jobs.ended_failed", job_id=job_id, error=ended.error), err=True)
        else:
            click.echo(text("jobs.ended", job_id=job_id, state=ended.state.value))
        if ended.state is not JobState.succeeded:
            sys.exit(1)


@jobs_group.command("list")
@click.option("--project", "project_id", type=int, default=None, help="Only this project's jobs.")
@click.option("--state", "states", type=click.Choice(_STATES), multiple=True,
              help="Only jobs in this state (repeatable).")
@pass_cli
def list_command(ctx: CliContext, project_id: int | None, states: tuple[str, ...]) -> None:
    """List jobs, newest first, with their state and progress."""
    svc = ctx.service()
    with svc.session() as session:
        jobs = list_jobs(session, project_id=project_id, states=[JobState(s) for s in states])
        if not jobs:
            click.echo(text("jobs.none"))
            return
        click.echo(f"{'job':>5}  {'project':>7}  {'kind':<8} {'state':<10} {'started by':<16} "
                   f"{'created (UTC)':<17} progress")
        for job in jobs:
            click.echo(_line(job))


@jobs_group.command("show")
@click.argument("job_id", type=int)
@pass_cli
def show_command(ctx: CliContext, job_id: int) -> None:
    """Show one job: state, times, progress, failure message and result figures (JSON)."""
    svc = ctx.service()
    with svc.session() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(text("jobs.not_found"))
        click.echo(json.dumps(describe_job(job), indent=2, ensure_ascii=False))


@jobs_group.command("cancel")
@click.argument("job_id", type=int)
@click.option("--as", "acting", required=True, help="The steward or admin cancelling it.")
@pass_cli
def cancel_command(ctx: CliContext, job_id: int, acting: str) -> None:
    """Cancel a queued job, or ask a running one to stop at its next step."""
    svc = ctx.service()
    with svc.session() as session:
        job = cancel_job(svc, session, find_user(session, acting), job_id, channel="cli")
        cancelled = job.state is JobState.cancelled
    click.echo(text("jobs.cancelled" if cancelled else "jobs.cancel_requested", job_id=job_id))


@click.command("worker")
@click.option("--once", is_flag=True, help="Run at most one job, then exit.")
@click.option("--poll-seconds", type=click.FloatRange(0.1, 3600), default=2.0, show_default=True,
              help="How long to wait when no job is queued.")
@pass_cli
def worker_command(ctx: CliContext, once: bool, poll_seconds: float) -> None:
    """Run stage-4 jobs from the queue until stopped (SIGTERM or Ctrl+C).

    Several workers, on one machine or several sharing the PostgreSQL
    database, never run one job twice. On SIGTERM or Ctrl+C a running job
    stops at its next step, what it began is removed, and it goes back to
    the queue for another worker. A worker killed outright is noticed after
    ENCLAVE_JOB_LEASE_SECONDS and its job retried by another.
    """
    from enclave.combination import STAGE4_JOBS
    from enclave.jobs import Worker

    worker = Worker(ctx.service(), STAGE4_JOBS, poll_seconds=poll_seconds, echo=click.echo)

    def _stop(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    click.echo(text("jobs.worker_started", worker_id=worker.worker_id))
    ran = worker.run(once=once)
    click.echo(text("jobs.worker_stopped", ran=ran))
