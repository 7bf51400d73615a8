"""Provision of one dataset (가명정보 제공, seed 004's first flow): no linkage, no combination.

A project that asks for one agency's dataset needs no linkage unit: the
enclave replaces the agency's serials with project pseudonyms and stores the
result as the project's combined data. From there the same pseudonymization
policy, additional processing, risk review, adequacy approval, analysis room
and export review follow as for a combination.
"""

from __future__ import annotations

from enclave.combination.datasets import load_project, read_parquet, store_dataset
from enclave.combination.intake import latest_submissions
from enclave.combination.join import pseudonymize_serials
from enclave.db.models import LinkedDataset, ProjectFlow, ProjectState
from enclave.errors import Conflict
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.service import EnclaveService

__all__ = ["provide_project"]


def provide_project(svc: EnclaveService, project_id: int, actor: str,
                    progress: Progress = no_progress) -> LinkedDataset:
    """Pseudonymize the one requested agency's content into the project's combined data.

    Args:
        svc: The open enclave.
        project_id: A project in state ``approved`` that asks for one agency's data.
        actor: Who started it (a steward or admin), for the audit log.
        progress: Told the stage and percentage as the work goes on (a job's progress).

    Returns:
        The stored dataset version (stage ``combined``).

    Raises:
        Conflict: The project is not approved, or asks for several agencies' data.
        NotFound: The agency's content has not arrived.
        InputError: The content package is not of the partner tool's shape.
    """
    key_id = project_key_id(project_id)
    progress("reading", 5)
    with svc.session() as session:
        project = load_project(session, project_id)
        if project.state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=project.state.value))
        if project.flow is not ProjectFlow.provision:
            raise Conflict(text("combination.not_single", project_id=project_id))
        ((agency, submission),) = latest_submissions(session, project).items()
        content = read_parquet(svc.get_object(session, submission.object_id, key_id))
        pseudonym_key = svc.keyring.unwrap(session, project_key_id(project_id, "pseudonym"))
    # Hashing happens outside any transaction: on SQLite a transaction holds the
    # one write lock, which heartbeats and web requests need meanwhile.
    progress("pseudonymizing", 40)
    provided = pseudonymize_serials(agency, content, pseudonym_key)
    progress("storing", 80)
    with svc.session() as session:
        project = load_project(session, project_id)
        if project.state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=project.state.value))
        dataset = store_dataset(svc, session, project_id, "combined", provided, actor, policy_hash="")
        svc.audit.record(session, actor=actor, action="combination.provide", object_type="project",
                         object_id=project_id, dataset=dataset.id, rows=dataset.row_count, agency=agency,
                         submission=submission.id)
        return dataset
