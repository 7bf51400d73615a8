"""Stage 4 as jobs: the registry of job kinds a steward starts and a worker runs.

Each kind is one entry: a precondition that says what must happen first, the
use case it runs (the same function the demo calls) and the clean-up of what
an unfinished run left. The generic runner (:mod:`enclave.jobs`) gets this
registry from whoever starts a worker or a job; adding a kind is one
:class:`~enclave.db.models.JobKind` member and one entry here.

=========  ===============================================  ==================================
kind       what it runs                                     needs
=========  ===============================================  ==================================
link       the linkage unit links, the map is delivered     approved project, every agency's content
combine    content joined through the map, pseudonyms       the linkage map
process    policy, additional processing, risk review       combined data
replica    synthetic replica and its measured risk          an approved risk review
provide    one agency's serials -> project pseudonyms       a single-dataset project, its content
=========  ===============================================  ==================================
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import MappingProxyType
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.combination.adequacy import latest_review
from enclave.combination.combine import combine_project
from enclave.combination.datasets import latest_dataset
from enclave.combination.leftovers import remove_leftovers
from enclave.combination.linkage_map import deliver_linkage_map
from enclave.combination.processing import review_risk
from enclave.combination.provision import provide_project
from enclave.combination.replicas import build_project_replica
from enclave.db.models import JobKind, Project, ProjectFlow, ProjectState, ReviewState, RiskReview, Submission
from enclave.errors import Conflict, EnclaveError
from enclave.jobs import JobContext, JobRegistry, JobResult, JobSpec, Worker, active_job
from enclave.messages import text
from enclave.service import EnclaveService, open_linkage_unit

__all__ = ["STAGE4_JOBS", "NextStep", "next_step", "stage4_worker", "start_embedded_worker", "startable_kinds"]

log = logging.getLogger("enclave.jobs")

#: What a steward should do next on a project, as a step id the pages translate.
NextStep = Literal["not_yet", "wait_content", "link", "provide", "combine", "process", "adequacy", "replica", "running",
                   "done"]


def _require_state(project: Project, *states: ProjectState) -> None:
    if project.state not in states:
        raise Conflict(text("jobs.needs_state", state=project.state.value,
                            needed=", ".join(s.value for s in states)))


def _require_content(session: Session, project: Project) -> None:
    arrived = set(session.scalars(select(Submission.agency_code).where(Submission.project_id == project.id)))
    missing = sorted(set(project.agency_codes) - arrived)
    if missing:
        raise Conflict(text("jobs.needs_content", agencies=", ".join(missing)))


def _require_flow(project: Project, flow: ProjectFlow) -> None:
    if project.flow is not flow:
        raise Conflict(text(f"jobs.needs_flow_{flow.value}", project_id=project.id))


def _has_map(svc: EnclaveService, project_id: int) -> bool:
    return svc.store.exists(f"projects/{project_id}/linkage-map")


def _check_link(svc: EnclaveService, session: Session, project: Project) -> None:
    # Match keys are the linkage unit's to count (its own tables); the job reports
    # when too few arrived. Agencies upload both packages together, so arrived
    # content is what the enclave can check here.
    _require_state(project, ProjectState.approved)
    _require_flow(project, ProjectFlow.combination)
    _require_content(session, project)


def _check_provide(svc: EnclaveService, session: Session, project: Project) -> None:
    _require_state(project, ProjectState.approved)
    _require_flow(project, ProjectFlow.provision)
    _require_content(session, project)


def _check_combine(svc: EnclaveService, session: Session, project: Project) -> None:
    _require_state(project, ProjectState.approved)
    _require_flow(project, ProjectFlow.combination)
    _require_content(session, project)
    if not _has_map(svc, project.id):
        raise Conflict(text("jobs.needs_map"))


def _check_process(svc: EnclaveService, session: Session, project: Project) -> None:
    _require_state(project, ProjectState.approved)
    if latest_dataset(session, project.id, "combined") is None:
        raise Conflict(text("jobs.needs_combined"))


def _has_approved_review(session: Session, project_id: int) -> bool:
    return session.scalar(select(RiskReview.id).where(RiskReview.project_id == project_id,
                                                      RiskReview.state == ReviewState.approved).limit(1)) is not None


def _check_replica(svc: EnclaveService, session: Session, project: Project) -> None:
    if project.state is not ProjectState.approved:
        _require_state(project, ProjectState.provisioned, ProjectState.active)
    if not _has_approved_review(session, project.id):
        raise Conflict(text("jobs.needs_review"))


def _run_link(ctx: JobContext) -> JobResult:
    linkage_unit = open_linkage_unit(ctx.svc.settings, ctx.svc)
    try:
        quality = deliver_linkage_map(ctx.svc, linkage_unit, ctx.project_id, ctx.actor, progress=ctx.progress)
    finally:
        linkage_unit.close()
    passes = [p for p in quality.get("passes", []) if isinstance(p, dict)]
    records = quality.get("records", {})
    return {"passes": len(passes), "links": sum(int(p.get("links", 0)) for p in passes),
            "records": sum(int(v) for v in records.values()) if isinstance(records, dict) else 0}


def _cleanup_link(svc: EnclaveService, project_id: int) -> int:
    linkage_unit = open_linkage_unit(svc.settings, svc)
    try:
        removed = linkage_unit.remove_orphans(project_id)
    finally:
        linkage_unit.close()
    return removed + remove_leftovers(svc, project_id)


def _run_combine(ctx: JobContext) -> JobResult:
    dataset = combine_project(ctx.svc, ctx.project_id, ctx.actor, progress=ctx.progress)
    return {"dataset": dataset.id, "rows": dataset.row_count}


def _run_provide(ctx: JobContext) -> JobResult:
    dataset = provide_project(ctx.svc, ctx.project_id, ctx.actor, progress=ctx.progress)
    return {"dataset": dataset.id, "rows": dataset.row_count}


def _run_process(ctx: JobContext) -> JobResult:
    review = review_risk(ctx.svc, ctx.project_id, ctx.actor, progress=ctx.progress)
    return {"review": review.id, "meets_thresholds": review.meets_thresholds}


def _run_replica(ctx: JobContext) -> JobResult:
    replica = build_project_replica(ctx.svc, ctx.project_id, ctx.actor, progress=ctx.progress)
    return {"replica": replica.id, "may_release": replica.may_release}


#: The stage-4 job kinds.
STAGE4_JOBS: JobRegistry = MappingProxyType({
    JobKind.link: JobSpec(JobKind.link, check=_check_link, run=_run_link, cleanup=_cleanup_link),
    JobKind.combine: JobSpec(JobKind.combine, check=_check_combine, run=_run_combine, cleanup=remove_leftovers),
    JobKind.process: JobSpec(JobKind.process, check=_check_process, run=_run_process, cleanup=remove_leftovers),
    JobKind.replica: JobSpec(JobKind.replica, check=_check_replica, run=_run_replica, cleanup=remove_leftovers),
    JobKind.provide: JobSpec(JobKind.provide, check=_check_provide, run=_run_provide, cleanup=remove_leftovers),
})


def startable_kinds(svc: EnclaveService, session: Session, project: Project,
                    registry: JobRegistry = STAGE4_JOBS) -> list[JobKind]:
    """The kinds whose precondition holds now (none while a job of the project is queued or running)."""
    if active_job(session, project.id) is not None:
        return []
    ready = []
    for kind, spec in registry.items():
        try:
            spec.check(svc, session, project)
        except Conflict:
            continue
        ready.append(kind)
    return ready


def next_step(svc: EnclaveService, session: Session, project: Project) -> NextStep:
    """What should happen next in stage 4 of ``project``."""
    if active_job(session, project.id) is not None:
        return "running"
    if project.state is ProjectState.applied:
        return "not_yet"
    if project.state in (ProjectState.provisioned, ProjectState.active):
        return "replica"
    if project.state is not ProjectState.approved:
        return "done"
    try:
        _require_content(session, project)
    except Conflict:
        return "wait_content"
    combined = latest_dataset(session, project.id, "combined") is not None
    if project.flow is ProjectFlow.provision and not combined:
        return "provide"
    if project.flow is ProjectFlow.combination and not _has_map(svc, project.id):
        return "link"
    if not combined:
        return "combine"
    review = latest_review(session, project.id)
    if review is None or review.state is ReviewState.returned:
        return "process"
    return "adequacy"


def stage4_worker(svc: EnclaveService, **options: object) -> Worker:
    """A :class:`~enclave.jobs.Worker` that runs the stage-4 kinds (options as for ``Worker``)."""
    return Worker(svc, STAGE4_JOBS, **options)  # type: ignore[arg-type]


def start_embedded_worker(svc: EnclaveService) -> Callable[[], None]:
    """Run a stage-4 worker in a background thread of this process, if ``ENCLAVE_EMBEDDED_WORKER`` is on.

    ``enclave serve`` calls it so that one machine needs nothing more.

    Returns:
        A function that stops the worker (a running job goes back to the queue) and waits for it.
    """
    if not svc.settings.embedded_worker:
        return lambda: None
    worker = stage4_worker(svc, echo=log.info)

    def _run() -> None:
        try:
            worker.run()
        except EnclaveError as error:
            # Enclave errors say what to do (a newer schema: upgrade) and hold no data.
            log.error("the embedded worker stopped: %s", error.log_message)
        except Exception as error:  # noqa: BLE001 — the web pages keep serving; say why jobs stopped
            log.error("the embedded worker stopped: %s", type(error).__name__)

    thread = threading.Thread(target=_run, name="enclave-embedded-worker", daemon=True)
    thread.start()

    def stop() -> None:
        worker.stop()
        thread.join(timeout=60)

    return stop
