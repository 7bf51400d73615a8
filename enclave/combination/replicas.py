"""Synthetic replicas of a project's approved data, and the steward's decision on each.

A replica is fitted with SDV on the approved data and its privacy risk is
measured with anonymeter (singling out, linkability, inference); only a
replica whose measured risk is within the policy's limits may be released.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from enclave.combination.datasets import load_project, policy_path, read_parquet, read_project_dataset, to_parquet
from enclave.db.models import ReviewState, Role, SyntheticReplica, User, utcnow
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.privacy import PrivacyError, build_replica, load_policy
from enclave.projects.application import steward_may_decide
from enclave.service import EnclaveService
from enclave.store import atomic_write

__all__ = ["build_project_replica", "decide_replica"]


def build_project_replica(svc: EnclaveService, project_id: int, actor: str, *, n_attacks: int = 200,
                          seed: int = 0, progress: Progress = no_progress) -> SyntheticReplica:
    """Fit a synthetic replica of the approved data and measure its risk with anonymeter.

    Args:
        svc: The open enclave.
        project_id: The project (its adequacy review approved).
        actor: Who builds it; the releasing steward must be someone else.
        n_attacks: anonymeter attacks per evaluation.
        seed: Seed of the fit and the attacks.
        progress: Told ``reading``, ``fitting`` (fit and risk measurement) and ``storing``.
    """
    progress("reading", 5)
    with svc.session() as session:
        frame = read_project_dataset(svc, session, project_id)
        agencies = load_project(session, project_id).agency_codes
    policy = load_policy(policy_path(svc, project_id)).for_agencies(agencies)
    pseudonym_columns = [c for c in frame.columns if c == "pseudonym"]
    progress("fitting", 15)
    try:
        result = build_replica(frame.drop(columns=pseudonym_columns), policy, seed=seed, n_attacks=n_attacks)
    except PrivacyError as error:
        raise InputError(str(error)) from None
    progress("storing", 93)
    with svc.session() as session:
        replica = SyntheticReplica(project_id=project_id, object_id="", summary=json.dumps(result.to_dict()),
                                   may_release=result.may_release, ran_by=actor)
        session.add(replica)
        session.flush()
        replica.object_id = f"projects/{project_id}/replicas/{replica.id}"
        svc.put_object(session, replica.object_id, to_parquet(result.data), project_key_id(project_id))
        svc.audit.record(session, actor=actor, action="privacy.replica", object_type="project",
                         object_id=project_id, replica=replica.id, may_release=result.may_release,
                         quality=round(result.quality_score, 4))
        return replica


def decide_replica(svc: EnclaveService, session: Session, replica_id: int, steward: User, decision: str) -> Path | None:
    """A steward releases a replica (only if its measured risk allows) or returns it.

    Returns:
        The released CSV's path, or ``None`` when returned.
    """
    replica = session.get(SyntheticReplica, replica_id)
    if replica is None:
        raise NotFound(text("provisioning.no_review"))
    project = load_project(session, replica.project_id)
    independent = steward_may_decide(steward, project) and steward.username != replica.ran_by
    if steward.role is not Role.steward or not independent:
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if replica.state is not ReviewState.pending:
        raise Conflict(text("projects.already_decided", decision=replica.state.value))
    if decision == "approve" and not replica.may_release:
        raise InputError(text("provisioning.replica_risky"))
    replica.state = ReviewState.approved if decision == "approve" else ReviewState.returned
    replica.reviewer = steward.username
    replica.decided_at = utcnow()
    path = None
    if replica.state is ReviewState.approved:
        data = read_parquet(svc.get_object(session, replica.object_id, project_key_id(project.id))).to_pandas()
        path = svc.settings.releases_dir / f"project-{project.id}" / f"synthetic-replica-{replica.id}.csv"
        atomic_write(path, data.to_csv(index=False).encode("utf-8"), mode=0o640)
    svc.audit.record(session, actor=steward.username, action="privacy.replica_decision", object_type="project",
                     object_id=project.id, replica=replica.id, decision=replica.state.value)
    return path
