"""Combination (stage 4-4/4-5): the agencies' content joined through the linkage map.

The enclave reads each agency's latest content submission and the linkage
map, both under the project's data key, and joins them with project
pseudonyms (:func:`enclave.combination.join.combine_submissions`).
"""

from __future__ import annotations

from enclave.combination.datasets import load_project, read_parquet, store_dataset
from enclave.combination.intake import latest_submissions
from enclave.combination.join import combine_submissions
from enclave.db.models import LinkedDataset, ProjectFlow, ProjectState
from enclave.errors import Conflict, NotFound
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.service import EnclaveService

__all__ = ["combine_project"]


def combine_project(svc: EnclaveService, project_id: int, actor: str,
                    progress: Progress = no_progress) -> LinkedDataset:
    """Join every agency's content through the linkage map, with project pseudonyms.

    The inputs are read in one transaction and the combined dataset stored
    in another, with its row and audit event; joining runs between them, so
    a long combination holds no lock on the database.

    Args:
        svc: The open enclave.
        project_id: The project.
        actor: Who combines, for the audit log.
        progress: Told ``reading``, ``joining`` and ``storing``.

    Raises:
        Conflict: The project is not approved and waiting for data.
        NotFound: No linkage map yet, or an agency's content is missing.
    """
    key_id = project_key_id(project_id)
    progress("reading", 5)
    with svc.session() as session:
        project = load_project(session, project_id)
        if project.state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=project.state.value))
        keep_unlinked = project.keep_unlinked
        if project.flow is ProjectFlow.provision:
            raise Conflict(text("combination.single_dataset", project_id=project_id))
        latest = latest_submissions(session, project)
        if not svc.store.exists(f"projects/{project_id}/linkage-map"):
            raise NotFound(text("provisioning.no_map"))
        contents = {agency: read_parquet(svc.get_object(session, r.object_id, key_id))
                    for agency, r in latest.items()}
        linkage_map = read_parquet(svc.get_object(session, f"projects/{project_id}/linkage-map", key_id))
        pseudonym_key = svc.keyring.unwrap(session, project_key_id(project_id, "pseudonym"))
    progress("joining", 30)
    combined = combine_submissions(contents, linkage_map, pseudonym_key, keep_unlinked)
    progress("storing", 85)
    with svc.session() as session:
        if load_project(session, project_id).state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=load_project(session, project_id).state.value))
        dataset = store_dataset(svc, session, project_id, "combined", combined, actor, policy_hash="")
        svc.audit.record(session, actor=actor, action="combination.combine", object_type="project",
                         object_id=project_id, dataset=dataset.id, rows=dataset.row_count,
                         agencies=len(contents), keep_unlinked=keep_unlinked)
        return dataset
