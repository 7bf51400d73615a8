"""Export requests in the enclave (stage 5, 반출신청): submission, blind review, release.

The researcher's kernel sends evidence with a recipe per output; the service
re-executes each recipe on its own stored copy of the project's approved
dataset, fails outputs whose figures differ, and runs every disclosure check
and the differencing check against the release ledger on its own figures (the
kernel's verdict is advisory only). What it stores and releases is its own
recomputation. Two stewards who are not on
the project vote on each output without seeing each other's vote; the author
never reviews. When every output is decided, approved outputs are packaged,
signed with the enclave's key, and entered in the ledger.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.combination.datasets import approved_datasets, read_dataset_version
from enclave.db.models import (
    ExportOutput,
    ExportRequest,
    ExportVote,
    LedgerRecord,
    LinkedDataset,
    Project,
    ProjectState,
    Release,
    Role,
    User,
    utcnow,
)
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.projects.access import is_member, steward_may_decide
from enclave.projects.lifecycle import project_state_conflict
from enclave.service import EnclaveService
from enclave.store import atomic_write
from export_review import (
    Decision,
    DisclosurePolicy,
    ExportRequestState,
    OutputVerdict,
    RecipeError,
    ReleaseLedger,
    ReviewBoard,
    ReviewError,
    build_release_package,
    decide_request,
    load_disclosure_policy,
    output_from_evidence,
    output_to_evidence,
    review_outputs,
)
from export_review.messages import text as review_text
from export_review.recomputation import StoredDatasets
from export_review.workflow import Vote

__all__ = [
    "MAX_OUTPUTS",
    "cast_vote",
    "create_export_request",
    "load_ledger",
    "release_for_download",
    "release_path",
    "requests_for",
    "require_request_access",
    "review_board",
    "review_queue",
    "stored_datasets",
    "votes_visible_to",
    "withdraw_request",
]

MAX_OUTPUTS = 50
_S = ExportRequestState


def _ledger_object(project_id: int) -> str:
    return f"projects/{project_id}/ledger"


def load_ledger(svc: EnclaveService, session: Session, project_id: int) -> ReleaseLedger:
    """The project's release ledger (empty before the first release)."""
    object_id = _ledger_object(project_id)
    if not svc.store.exists(object_id):
        return ReleaseLedger(str(project_id))
    return ReleaseLedger.from_json(svc.get_object(session, object_id, project_key_id(project_id)).decode("utf-8"))


def _policy(svc: EnclaveService, project: Project) -> DisclosurePolicy:
    path = svc.settings.policies_dir / "disclosure" / "default.yaml"
    return load_disclosure_policy(path if path.exists() else None, project=str(project.id))


def stored_datasets(svc: EnclaveService, session: Session, project_id: int) -> StoredDatasets:
    """The project's approved dataset versions, read lazily (and audited) when a recipe names one."""
    def loader(dataset: LinkedDataset) -> Callable[[], pd.DataFrame]:
        return lambda: read_dataset_version(svc, session, dataset, purpose="export.recompute")

    return StoredDatasets({str(d.id): loader(d) for d in approved_datasets(session, project_id)})


def _move(svc: EnclaveService, session: Session, request: ExportRequest, to: ExportRequestState, actor: str) -> None:
    before = request.state
    request.state = to.value
    request.updated_at = utcnow()
    svc.audit.record(session, actor=actor, action="export.state", object_type="export_request",
                     object_id=request.id, before=before, after=to.value, project=request.project_id)


def create_export_request(
    svc: EnclaveService,
    session: Session,
    author: User,
    project: Project,
    title: str,
    evidence: Sequence[dict[str, Any]],
) -> ExportRequest:
    """Store a researcher's outputs and re-check them on the server.

    Args:
        svc: The open enclave.
        session: The caller's transaction.
        author: The researcher submitting; must be on the project.
        project: An active project.
        title: What the request is for.
        evidence: The outputs' evidence, as ``export_review`` serializes it.

    Returns:
        The request, in state ``in_review``, its outputs carrying the server's checks.

    Raises:
        PermissionDenied: The author is not on the project.
        Conflict: The project is not active.
        InputError: No outputs, too many, duplicate names, or no title.
    """
    if author.role is not Role.researcher or not is_member(author, project):
        raise PermissionDenied(text("users.forbidden", role=author.role.value))
    if project.state is not ProjectState.active:
        raise project_state_conflict(project)
    names = [e.get("name") if isinstance(e, dict) else None for e in evidence]
    if not title.strip():
        raise InputError(text("exports.no_title"))
    if not evidence or len(evidence) > MAX_OUTPUTS:
        raise InputError(text("exports.count", most=MAX_OUTPUTS))
    if any(not isinstance(n, str) or not n for n in names) or len(set(names)) != len(names):
        raise InputError(text("exports.names"))

    policy = _policy(svc, project)
    try:
        verdicts = review_outputs(list(evidence), policy, load_ledger(svc, session, project.id),
                                  stored_datasets(svc, session, project.id))
    except RecipeError as error:
        # The whole request is refused so the researcher fixes the recipe and nothing half-stored remains.
        message = review_text("recipe.in_output", output=error.output or "?", problem=str(error))
        raise InputError(message, audit={
            "actor": author.username, "action": "export.submit", "object_type": "project",
            "object_id": project.id, "outcome": "refused", "reason": "recipe"}) from None
    request = ExportRequest(project_id=project.id, author_id=author.id, title=title.strip()[:300],
                            state=_S.DRAFT.value)
    session.add(request)
    session.flush()
    key_id = project_key_id(project.id)
    for item, verdict in zip(evidence, verdicts, strict=True):
        # Output names are the researcher's words; the object id uses a digest of them.
        digest = hashlib.sha256(str(item["name"]).encode()).hexdigest()[:16]
        object_id = f"projects/{project.id}/exports/{request.id}/{digest}"
        # What is stored, reviewed and released is the enclave's recomputation, not the kernel's figures.
        stored = item if verdict.output is None else output_to_evidence(verdict.output)
        svc.put_object(session, object_id, json.dumps(stored, ensure_ascii=False).encode("utf-8"), key_id)
        checks = verdict.to_dict()
        session.add(ExportOutput(request_id=request.id, name=str(item["name"]), kind=verdict.kind or "unknown",
                                 evidence_object=object_id, checks=json.dumps(checks, ensure_ascii=False),
                                 check_status=verdict.status))
    session.flush()
    svc.audit.record(session, actor=author.username, action="export.submit", object_type="export_request",
                     object_id=request.id, project=project.id, outputs=len(evidence),
                     failing=sum(v.status == "fail" for v in verdicts))
    _move(svc, session, request, _S.SUBMITTED, author.username)
    _move(svc, session, request, _S.IN_REVIEW, "system")
    return request


def review_board(output: ExportOutput) -> ReviewBoard:
    """Rebuild the blind review board of ``output`` from its stored votes."""
    votes = [Vote(v.reviewer.username, Decision(v.decision), v.comment, v.at.isoformat())
             for v in sorted(output.votes, key=lambda v: v.id)]
    return ReviewBoard(output.name, output.request.author.username, output.check_status, votes)  # type: ignore[arg-type]


def votes_visible_to(output: ExportOutput, viewer: User) -> list[ExportVote]:
    """The votes on ``output`` that ``viewer`` may see: only their own until both are in."""
    ordered = sorted(output.votes, key=lambda v: v.id)
    if len(ordered) >= ReviewBoard.REQUIRED_VOTES:
        return ordered
    return [v for v in ordered if v.reviewer_id == viewer.id]


def cast_vote(
    svc: EnclaveService,
    session: Session,
    output_id: int,
    reviewer: User,
    decision: str,
    comment: str = "",
) -> ExportVote:
    """Record a steward's vote on one output; release the request when all are decided.

    Raises:
        NotFound: No such output.
        PermissionDenied: Not a steward, a steward on the project, or the author.
        Conflict: Already voted (a second click), or the request is no longer in review.
        InputError: An unknown decision, or no comment where one is required.
    """
    output = session.get(ExportOutput, output_id)
    if output is None:
        raise NotFound(text("exports.not_found"))
    request = output.request
    if reviewer.role is not Role.steward or not steward_may_decide(reviewer, request.project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if request.state != _S.IN_REVIEW.value:
        raise Conflict(text("exports.not_in_review", state=request.state))
    try:
        choice = Decision(decision)
    except ValueError:
        raise InputError(text("exports.bad_decision")) from None
    board = review_board(output)
    if any(v.reviewer_id == reviewer.id for v in output.votes):
        raise Conflict(text("exports.already_voted"))
    try:
        board.vote(reviewer.username, choice, comment)
    except ReviewError as error:
        raise InputError(str(error)) from None
    vote = ExportVote(output_id=output.id, reviewer_id=reviewer.id, decision=choice.value, comment=comment.strip())
    session.add(vote)
    output.votes.append(vote)
    session.flush()
    # The decision is not in this event: stewards read the audit log, and the vote is blind.
    svc.audit.record(session, actor=reviewer.username, action="export.vote", object_type="export_output",
                     object_id=output.id, request=request.id, votes_cast=board.votes_cast)
    outcome = board.outcome.value
    if outcome != output.outcome:
        output.outcome = outcome
        svc.audit.record(session, actor="system", action="export.output_outcome", object_type="export_output",
                         object_id=output.id, request=request.id, outcome=outcome)
    next_state = decide_request([review_board(o) for o in request.outputs])
    if next_state is not None:
        _move(svc, session, request, next_state, "system")
        if next_state is _S.APPROVED:
            _release(svc, session, request)
    return vote


def release_path(svc: EnclaveService, request: ExportRequest) -> Path:
    """Where the signed release package of ``request`` is written."""
    return svc.settings.releases_dir / f"project-{request.project_id}" / f"request-{request.id}.zip"


def _release(svc: EnclaveService, session: Session, request: ExportRequest) -> Release:
    key_id = project_key_id(request.project_id)
    evidence = [json.loads(svc.get_object(session, o.evidence_object, key_id)) for o in request.outputs]
    verdicts = [OutputVerdict.from_dict(json.loads(o.checks)) for o in request.outputs]
    boards = [review_board(o) for o in request.outputs]
    reviewers = sorted({v.reviewer.username for o in request.outputs for v in o.votes})
    package = build_release_package(evidence, verdicts, boards, svc.keys.signing_key, {
        "project": request.project_id, "request": request.id, "title": request.title,
        "author": request.author.username, "reviewers": reviewers,
    })
    path = release_path(svc, request)
    atomic_write(path, package, mode=0o600)
    digest = hashlib.sha256(package).hexdigest()
    release = Release(request_id=request.id, path=str(path), sha256=digest, released_by="system")
    session.add(release)
    ledger = load_ledger(svc, session, request.project_id)
    for output, item in zip(request.outputs, evidence, strict=True):
        if output.outcome == "approved":
            ledger.record_release(output_from_evidence(item), request_id=request.id)
            session.add(LedgerRecord(project_id=request.project_id, output_id=output.id,
                                     object_id=_ledger_object(request.project_id)))
    svc.put_object(session, _ledger_object(request.project_id), ledger.to_json().encode("utf-8"), key_id)
    session.flush()
    svc.audit.record(session, actor="system", action="export.release", object_type="export_request",
                     object_id=request.id, project=request.project_id, package_sha256=digest,
                     outputs=sum(o.outcome == "approved" for o in request.outputs))
    _move(svc, session, request, _S.RELEASED, "system")
    return release


def release_for_download(svc: EnclaveService, session: Session, user: User, project_id: int, request_id: int,
                         channel: str) -> Release:
    """Return the release of a request for ``user`` to download, and audit the download.

    Raises:
        NotFound: The project is not ``user``'s to see, or the request has no release file.
    """
    from enclave.projects.access import require_project_access

    require_project_access(session, user, project_id)
    request = session.get(ExportRequest, request_id)
    release = session.scalar(select(Release).where(Release.request_id == request_id))
    if request is None or request.project_id != project_id or release is None or not Path(release.path).is_file():
        raise NotFound(text("exports.not_found"))
    svc.audit.record(session, actor=user.username, action="export.download", object_type="export_request",
                     object_id=request_id, channel=channel, package_sha256=release.sha256)
    return release


def withdraw_request(svc: EnclaveService, session: Session, request_id: int, author: User) -> None:
    """Withdraw a request that is not yet decided; only its author may."""
    request = session.get(ExportRequest, request_id)
    if request is None or request.author_id != author.id:
        raise NotFound(text("exports.not_found"))
    if request.state not in (_S.DRAFT.value, _S.SUBMITTED.value, _S.IN_REVIEW.value, _S.CHANGES_REQUESTED.value):
        raise Conflict(text("exports.not_in_review", state=request.state))
    _move(svc, session, request, _S.WITHDRAWN, author.username)


def require_request_access(session: Session, user: User, request_id: int) -> ExportRequest:
    """Return the export request if ``user`` may see its project.

    Raises:
        NotFound: No such request, or one of a project ``user`` may not see.
    """
    from enclave.projects.access import can_view_project

    request = session.get(ExportRequest, request_id)
    if request is None or not can_view_project(user, request.project):
        raise NotFound(text("exports.not_found"))
    return request


def requests_for(session: Session, user: User) -> list[ExportRequest]:
    """Export requests ``user`` may see: their projects' for researchers, all for stewards."""
    stmt = select(ExportRequest).order_by(ExportRequest.id.desc())
    if user.role is Role.researcher:
        from enclave.db.models import ProjectMember

        stmt = stmt.where(ExportRequest.project_id.in_(
            select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)))
    elif user.role not in (Role.steward, Role.admin):
        return []
    return list(session.scalars(stmt))


def review_queue(session: Session, steward: User) -> list[ExportOutput]:
    """Outputs waiting for ``steward``'s vote: in review, not theirs to recuse from, not yet voted."""
    stmt = (select(ExportOutput).join(ExportRequest)
            .where(ExportRequest.state == _S.IN_REVIEW.value).order_by(ExportOutput.id))
    waiting = []
    for output in session.scalars(stmt):
        if not steward_may_decide(steward, output.request.project):
            continue
        if review_board(output).can_review(steward.username):
            waiting.append(output)
    return waiting
