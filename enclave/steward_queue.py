"""The steward's one queue: everything that waits for a steward's decision.

The queue page and the API read the same :class:`StewardQueue`, so both show
the same items and the same ``may_decide`` answer: a steward never decides on
a project they belong to, nor on processing they ran themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.combination import read_linkage_quality
from enclave.db.models import (
    ExportOutput,
    Project,
    ProjectState,
    ReviewState,
    RiskReview,
    SyntheticReplica,
    User,
)
from enclave.exports import review_queue
from enclave.projects import pending_agencies, projects_due_for_destruction, steward_may_decide
from enclave.service import EnclaveService
from enclave.workspace_reads import ReadVolume, flagged_read_volumes

__all__ = [
    "Application",
    "DueDestruction",
    "LinkageQuality",
    "PendingReplica",
    "PendingReview",
    "StewardQueue",
    "steward_queue",
]


@dataclass(frozen=True)
class Application:
    """An application waiting for the steward's decision, and the agencies still to decide."""

    project: Project
    waiting: list[str]
    may_decide: bool


@dataclass(frozen=True)
class PendingReview:
    """A risk review waiting for adequacy approval."""

    review: RiskReview
    project: Project
    may_decide: bool


@dataclass(frozen=True)
class LinkageQuality:
    """The linkage quality report of a project whose data is being combined (aggregate counts)."""

    project: Project
    quality: dict[str, Any]


@dataclass(frozen=True)
class PendingReplica:
    """A synthetic replica waiting for release or return."""

    replica: SyntheticReplica
    project: Project
    may_decide: bool


@dataclass(frozen=True)
class DueDestruction:
    """A project closing, declined or past its retention end."""

    project: Project
    may_decide: bool


@dataclass(frozen=True)
class StewardQueue:
    """Everything waiting for one steward, by kind."""

    applications: list[Application]
    reviews: list[PendingReview]
    linkage: list[LinkageQuality]
    outputs: list[ExportOutput]
    replicas: list[PendingReplica]
    due: list[DueDestruction]
    read_volumes: list[ReadVolume]


def _project(session: Session, project_id: int) -> Project:
    project = session.get(Project, project_id)
    assert project is not None  # the foreign key holds it
    return project


def steward_queue(svc: EnclaveService, session: Session, steward: User) -> StewardQueue:
    """Collect what waits for ``steward``: applications, adequacy reviews, linkage quality,
    export outputs to vote on, synthetic replicas, destructions, and read volumes in the
    analysis room above the limit (:mod:`enclave.workspace_reads`).

    Items on the steward's own projects are listed with ``may_decide`` false,
    so the steward sees that another steward must act.
    """
    applied = session.scalars(select(Project).where(Project.state == ProjectState.applied).order_by(Project.id))
    applications = [Application(p, pending_agencies(p), steward_may_decide(steward, p)) for p in applied]
    reviews = []
    for review in session.scalars(select(RiskReview).where(RiskReview.state == ReviewState.pending)
                                  .order_by(RiskReview.id)):
        project = _project(session, review.project_id)
        reviews.append(PendingReview(review, project,
                                     steward_may_decide(steward, project) and review.ran_by != steward.username))
    waiting_data = session.scalars(select(Project).where(Project.state == ProjectState.approved).order_by(Project.id))
    linkage = [LinkageQuality(p, q) for p in waiting_data if (q := read_linkage_quality(svc, p.id)) is not None]
    replicas = []
    for replica in session.scalars(select(SyntheticReplica).where(SyntheticReplica.state == ReviewState.pending)
                                   .order_by(SyntheticReplica.id)):
        project = _project(session, replica.project_id)
        replicas.append(PendingReplica(replica, project,
                                       steward_may_decide(steward, project) and replica.ran_by != steward.username))
    due = [DueDestruction(p, steward_may_decide(steward, p)) for p in projects_due_for_destruction(session)]
    return StewardQueue(applications=applications, reviews=reviews, linkage=linkage,
                        outputs=review_queue(session, steward), replicas=replicas, due=due,
                        read_volumes=flagged_read_volumes(session))
