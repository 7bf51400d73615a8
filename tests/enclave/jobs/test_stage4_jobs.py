"""Stage 4 as jobs, end to end: preconditions say what must happen first, each kind runs to its result."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from enclave.combination import STAGE4_JOBS, decide_adequacy, next_step, remove_leftovers, startable_kinds
from enclave.combination.datasets import reports_dir
from enclave.db.models import AuditEvent, Job, JobKind, JobState, LinkedDataset, Project, RiskReview, User
from enclave.errors import Conflict
from enclave.jobs import Worker, start_job
from enclave.keys import project_key_id
from enclave.service import EnclaveService
from tests.enclave.jobs.stage4 import Stage4Project


def _start(svc: EnclaveService, stage4: Stage4Project, kind: JobKind, who: str = "stella") -> int:
    with svc.session() as session:
        return start_job(svc, session, session.get(User, stage4.users[who].id), stage4.project_id, kind,
                         STAGE4_JOBS).id


def _run(svc: EnclaveService, stage4: Stage4Project, kind: JobKind) -> Job:
    job_id = _start(svc, stage4, kind)
    outcome = Worker(svc, STAGE4_JOBS).run_once()
    assert outcome is not None and outcome.job_id == job_id
    with svc.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        return job


def _state(svc: EnclaveService, stage4: Stage4Project) -> tuple[str, list[str]]:
    with svc.session() as session:
        project = session.get(Project, stage4.project_id)
        return next_step(svc, session, project), [k.value for k in startable_kinds(svc, session, project)]


@pytest.mark.slow
def test_a_steward_runs_stage_four_as_jobs_from_linkage_to_replica(svc: EnclaveService,
                                                                    stage4: Stage4Project) -> None:
    assert _state(svc, stage4) == ("link", ["link"])
    for kind, message in ((JobKind.combine, "Run the link job first"),
                          (JobKind.process, "Run the combine job first"),
                          (JobKind.replica, "approve the risk review")):
        with pytest.raises(Conflict, match=message):
            _start(svc, stage4, kind)

    link = _run(svc, stage4, JobKind.link)
    assert link.state is JobState.succeeded, link.error
    assert json.loads(link.result)["links"] > 100 and link.percent == 100
    assert _state(svc, stage4) == ("combine", ["link", "combine"])

    combine = _run(svc, stage4, JobKind.combine)
    assert combine.state is JobState.succeeded, combine.error
    assert _state(svc, stage4) == ("process", ["link", "combine", "process"])

    process = _run(svc, stage4, JobKind.process)
    assert process.state is JobState.succeeded, process.error
    review_id = json.loads(process.result)["review"]
    assert _state(svc, stage4)[0] == "adequacy"
    with svc.session() as session:
        review = session.get(RiskReview, review_id)
        assert review is not None and review.ran_by == "stella"
        # A few hundred records cannot decide every attack limit; the steward then says why they approve.
        decide_adequacy(svc, session, review_id, session.get(User, stage4.users["sven"].id), "approve",
                        comment="Small test cohort; the inconclusive attack limits were weighed.")
    assert _state(svc, stage4) == ("replica", ["replica"])
    replica = _run(svc, stage4, JobKind.replica)
    assert replica.state is JobState.succeeded, replica.error
    assert set(json.loads(replica.result)) == {"replica", "may_release"}

    with svc.session() as session:
        events = session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("job.%"),
                                                                 AuditEvent.outcome == "ok")).all()
        combined = session.scalars(select(LinkedDataset).where(LinkedDataset.stage == "combined")).all()
    assert events.count("job.start") == events.count("job.claim") == events.count("job.end") == 4
    assert len(combined) == 1


def test_a_job_on_a_project_in_the_wrong_state_is_refused_and_changes_nothing(svc: EnclaveService,
                                                                              stage4: Stage4Project) -> None:
    from enclave.projects import close_project

    with svc.session() as session:
        close_project(svc, session, session.get(Project, stage4.project_id), session.get(User, stage4.users["rita"].id))
    for kind in JobKind:
        with pytest.raises(Conflict, match="The project is closing"):
            _start(svc, stage4, kind)
    with svc.session() as session:
        assert session.scalars(select(Job)).all() == []
        assert next_step(svc, session, session.get(Project, stage4.project_id)) == "done"


def test_leftovers_of_an_unfinished_run_are_removed_and_results_kept(svc: EnclaveService,
                                                                     stage4: Stage4Project) -> None:
    project_id = stage4.project_id
    assert _run(svc, stage4, JobKind.link).state is JobState.succeeded
    assert _run(svc, stage4, JobKind.combine).state is JobState.succeeded
    key = project_key_id(project_id)
    with svc.session() as session:
        # What a worker killed between writing and committing leaves behind.
        svc.put_object(session, f"projects/{project_id}/linked/processed-999", b"half a result", key)
        svc.put_object(session, f"projects/{project_id}/replicas/998", b"half a replica", key)
        kept = session.scalars(select(LinkedDataset.object_id)).all()
    folder = reports_dir(svc, project_id)
    (folder / "risk-report-999.html").write_text("stale")
    (folder / ".risk-report-999.json.abc.tmp").write_text("stale")
    assert remove_leftovers(svc, project_id) == 4
    assert remove_leftovers(svc, project_id) == 0
    assert not svc.store.exists(f"projects/{project_id}/linked/processed-999")
    assert all(svc.store.exists(object_id) for object_id in kept)
    assert svc.store.exists(f"projects/{project_id}/linkage-map")
    assert (folder / "linkage-quality.html").exists()
