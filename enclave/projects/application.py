"""Applying for a project (stage 1, 사전준비) and the decisions on it (stage 3, 결합신청).

An application names its purpose, plan, team, retention end and, per catalog
dataset, the variables it needs. Its content hash is fixed at submission and
every decision names it, so nobody can later claim to have approved
something else. Each agency whose data is requested decides on its own part;
a steward who is not on the team approves the whole, and only after every
agency has approved.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import (
    MAX_ROW_ID,
    Dataset,
    DatasetRequest,
    Decision,
    Project,
    ProjectDecision,
    ProjectMember,
    ProjectState,
    Role,
    User,
    utcnow,
)
from enclave.errors import Conflict, InputError, PermissionDenied
from enclave.keys import project_key_id
from enclave.messages import label, text
from enclave.projects.access import steward_may_decide
from enclave.projects.lifecycle import project_state_conflict
from enclave.service import EnclaveService

__all__ = [
    "application_hash",
    "apply_for_project",
    "decide_agency_part",
    "decide_as_steward",
    "pending_agencies",
    "steward_may_decide",  # re-exported from access: provisioning imports it from here
]

#: The longest title the projects table holds.
TITLE_MAX = 300


def application_hash(document: Mapping[str, object]) -> str:
    """Return the SHA-256 of an application's canonical JSON form."""
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def apply_for_project(
    svc: EnclaveService,
    session: Session,
    applicant: User,
    *,
    title: str,
    purpose: str,
    retention_end: dt.date | str,
    requests: Mapping[int, Sequence[str]],
    analysis_plan: str = "",
    key_variables: Sequence[str] = (),
    team: Sequence[str] = (),
    keep_unlinked: bool = False,
    today: dt.date | None = None,
) -> Project:
    """Submit a project application.

    Args:
        svc: The open enclave.
        session: The caller's transaction.
        applicant: The researcher applying; they lead the team.
        title: The project's title.
        purpose: Why the data is needed (결합 목적).
        retention_end: When the data must be destroyed at the latest (a date,
            or the ISO ``YYYY-MM-DD`` text a form or a JSON body carries).
        requests: Catalog dataset id -> the variable names needed.
        analysis_plan: The plan (계획서).
        key_variables: The variables the analysis most needs, most important
            first; each must be among the variables requested. Additional
            processing keeps them at the finest level the thresholds allow.
        team: User names of further researchers on the team; a bad entry is
            named by its position only, since people paste other things there.
        keep_unlinked: Keep records that found no partner in the linkage.
        today: The date to check the retention end against (tests).

    Returns:
        The new project, in state ``applied``.

    Raises:
        PermissionDenied: The applicant is not a researcher.
        InputError: Every problem with the application, at once.
    """
    if applicant.role is not Role.researcher:
        raise PermissionDenied(text("users.forbidden", role=label(applicant.role)))
    problems: list[str] = []
    if not title.strip():
        problems.append(text("projects.no_title"))
    elif len(title.strip()) > TITLE_MAX:
        problems.append(text("projects.title_too_long", most=TITLE_MAX))
    if not purpose.strip():
        problems.append(text("projects.no_purpose"))
    if isinstance(retention_end, str):
        try:
            retention_end = dt.date.fromisoformat(retention_end.strip())
        except ValueError:
            problems.append(text("projects.bad_retention_end"))
    if isinstance(retention_end, dt.date) and retention_end <= (today or dt.date.today()):
        problems.append(text("projects.retention_past"))
    if not requests:
        problems.append(text("projects.no_datasets"))
    datasets: dict[int, Dataset] = {}
    for dataset_id, variables in requests.items():
        dataset = session.get(Dataset, dataset_id) if 0 < dataset_id <= MAX_ROW_ID else None
        if dataset is None:
            problems.append(text("projects.unknown_dataset", dataset_id=dataset_id))
            continue
        datasets[dataset_id] = dataset
        known = {v.name for v in dataset.variables}
        if not variables:
            problems.append(text("projects.no_variables", dataset=dataset.name))
        for variable in variables:
            if variable not in known:
                problems.append(text("projects.unknown_variable", dataset=dataset.name, variable=variable))
    requested = {v for variables in requests.values() for v in variables}
    keys = list(dict.fromkeys(v.strip() for v in key_variables if v.strip()))
    for variable in keys:
        if variable not in requested:
            problems.append(text("projects.key_variable_not_requested", variable=variable))
    members: dict[int, User] = {}
    for number, username in enumerate(team, start=1):
        if username == applicant.username:
            continue
        user = session.scalar(select(User).where(User.username == username))
        if user is None or user.role is not Role.researcher or not user.is_active:
            problems.append(text("projects.team_entry", number=number))
        else:
            members[user.id] = user
    if problems:
        raise InputError(" ".join(problems))
    assert isinstance(retention_end, dt.date)

    document = {
        "title": title.strip(),
        "purpose": purpose.strip(),
        "analysis_plan": analysis_plan.strip(),
        "retention_end": retention_end.isoformat(),
        "keep_unlinked": keep_unlinked,
        "applicant": applicant.username,
        "team": sorted(u.username for u in members.values()),
        "requests": {str(k): sorted(set(v)) for k, v in sorted(requests.items())},
    }
    if keys:
        # Part of what the agencies and stewards approve; absent when none are named,
        # so applications without them hash as before.
        document["key_variables"] = keys
    project = Project(
        title=document["title"], purpose=document["purpose"], analysis_plan=document["analysis_plan"],
        retention_end=retention_end, keep_unlinked=keep_unlinked, applicant_id=applicant.id,
        application_hash=application_hash(document), state=ProjectState.applied,
        key_variables=json.dumps(keys, ensure_ascii=False),
    )
    project.members = [ProjectMember(user_id=applicant.id, is_lead=True)] + [
        ProjectMember(user_id=u.id) for u in members.values()]
    project.requests = [
        DatasetRequest(dataset_id=dataset_id, variables=json.dumps(sorted(set(variables))))
        for dataset_id, variables in sorted(requests.items())
    ]
    session.add(project)
    session.flush()
    # The project's keys exist from the start; destruction shreds them.
    svc.keyring.create(session, project_key_id(project.id, "data"))
    svc.keyring.create(session, project_key_id(project.id, "pseudonym"))
    svc.audit.record(session, actor=applicant.username, action="project.apply", object_type="project",
                     object_id=project.id, application_hash=project.application_hash,
                     datasets=sorted(datasets), team_size=len(project.members))
    return project


def _record(svc: EnclaveService, session: Session, project: Project, actor: User, kind: str,
            decision: Decision, comment: str) -> ProjectDecision:
    if decision is Decision.declined and not comment.strip():
        raise InputError(text("projects.comment_required"))
    row = ProjectDecision(project_id=project.id, actor_id=actor.id, kind=kind, decision=decision,
                          comment=comment.strip(), application_hash=project.application_hash)
    session.add(row)
    session.flush()
    svc.audit.record(session, actor=actor.username, action=f"project.decide.{kind.split(':')[0]}",
                     object_type="project", object_id=project.id, decision=decision.value,
                     application_hash=project.application_hash, part=kind)
    return row


def pending_agencies(project: Project) -> list[str]:
    """Agencies that have not yet decided on their part of ``project``."""
    return sorted({r.dataset.agency_code for r in project.requests if r.decision is Decision.pending})


def decide_agency_part(
    svc: EnclaveService,
    session: Session,
    project: Project,
    agency_user: User,
    decision: Decision,
    comment: str = "",
) -> ProjectDecision:
    """Record an agency's decision on the part of ``project`` that requests its data.

    Raises:
        PermissionDenied: Not an agency, or the project does not request its data.
        Conflict: The project moved on, or the agency already decided (a second click).
    """
    if agency_user.role is not Role.agency:
        raise PermissionDenied(text("users.forbidden", role=label(agency_user.role)))
    parts = [r for r in project.requests if r.dataset.agency_code == agency_user.agency_code]
    if not parts:
        raise PermissionDenied(text("projects.not_your_data"))
    # A part already decided is a second click whatever happened since.
    if any(r.decision is not Decision.pending for r in parts):
        raise Conflict(text("projects.already_decided", decision=parts[0].decision.value))
    if project.state is not ProjectState.applied:
        raise project_state_conflict(project)
    for part in parts:
        part.decision = decision
    row = _record(svc, session, project, agency_user, f"agency:{agency_user.agency_code}", decision, comment)
    if decision is Decision.declined:
        project.state = ProjectState.declined
    return row


def decide_as_steward(
    svc: EnclaveService,
    session: Session,
    project: Project,
    steward: User,
    decision: Decision,
    comment: str = "",
) -> ProjectDecision:
    """Record the steward's decision on the whole application.

    Raises:
        PermissionDenied: Not a steward, or a steward on the project's team.
        Conflict: Agencies still pending, or already decided (a second click).
    """
    if steward.role is not Role.steward:
        raise PermissionDenied(text("users.forbidden", role=label(steward.role)))
    if not steward_may_decide(steward, project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if project.state is not ProjectState.applied:
        raise Conflict(text("projects.already_decided", decision=project.state.value))
    waiting = pending_agencies(project)
    if decision is Decision.approved and waiting:
        raise Conflict(text("projects.agencies_pending", agencies=", ".join(waiting)))
    row = _record(svc, session, project, steward, "steward", decision, comment)
    if decision is Decision.approved:
        project.state = ProjectState.approved
        project.approved_at = utcnow()
    else:
        project.state = ProjectState.declined
    return row
