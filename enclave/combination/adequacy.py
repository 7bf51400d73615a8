"""The adequacy review (적정성 검토, stage 4-6): a steward approves or returns a risk review."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.combination.datasets import load_project
from enclave.db.models import ProjectState, ReviewState, RiskReview, Role, User, utcnow
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.messages import text
from enclave.privacy import PrivacyError, check_reviewer_independence
from enclave.projects.application import steward_may_decide
from enclave.projects.lifecycle import move_project
from enclave.service import EnclaveService

__all__ = ["decide_adequacy", "latest_review"]


def latest_review(session: Session, project_id: int) -> RiskReview | None:
    """The newest risk review of a project."""
    return session.scalar(select(RiskReview).where(RiskReview.project_id == project_id)
                          .order_by(RiskReview.id.desc()).limit(1))


def decide_adequacy(svc: EnclaveService, session: Session, review_id: int, steward: User, decision: str,
                    comment: str = "") -> RiskReview:
    """A steward approves or returns a risk review (적정성 검토).

    Approval needs a report that meets every threshold it could decide, and a
    steward who neither ran the processing nor belongs to the project; an
    attack limit left inconclusive at the data's size needs the steward's
    reason in the comment. Approval moves the
    project to ``provisioned``.

    Raises:
        PermissionDenied: Not an independent steward.
        Conflict: Already decided (a second click).
        InputError: Approving a report that fails its thresholds; returning without a comment.
    """
    review = session.get(RiskReview, review_id)
    if review is None:
        raise NotFound(text("provisioning.no_review"))
    project = load_project(session, review.project_id)
    if steward.role is not Role.steward or not steward_may_decide(steward, project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    try:
        check_reviewer_independence(review.ran_by, steward.username)
    except PrivacyError as error:
        raise PermissionDenied(str(error)) from None
    if review.state is not ReviewState.pending:
        raise Conflict(text("projects.already_decided", decision=review.state.value))
    if decision not in ("approve", "return"):
        raise InputError(text("provisioning.bad_decision"))
    if decision == "approve" and not review.meets_thresholds:
        raise InputError(text("provisioning.fails_thresholds"))
    if decision == "approve" and json.loads(review.summary or "{}").get("undecided") and not comment.strip():
        # An attack limit the data could not decide is the steward's judgement;
        # the record of it is their reason.
        raise InputError(text("provisioning.undecided_needs_comment"))
    if decision == "return" and not comment.strip():
        raise InputError(text("projects.comment_required"))
    review.state = ReviewState.approved if decision == "approve" else ReviewState.returned
    review.reviewer = steward.username
    review.comment = comment.strip()
    review.decided_at = utcnow()
    svc.audit.record(session, actor=steward.username, action="privacy.adequacy", object_type="project",
                     object_id=project.id, review=review.id, decision=review.state.value,
                     policy_hash=review.policy_hash, report_hash=review.report_hash)
    if review.state is ReviewState.approved and project.state is ProjectState.approved:
        move_project(svc, session, project, ProjectState.provisioned, steward.username)
    return review


