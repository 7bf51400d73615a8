"""Research projects: application, multi-party approval, lifecycle, destruction."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.accounts import User
from enclave.db.models.base import Base, UtcDateTime, utcnow
from enclave.db.models.catalog import Dataset

__all__ = [
    "DatasetRequest",
    "Decision",
    "DestructionCertificate",
    "Project",
    "ProjectDecision",
    "ProjectFlow",
    "ProjectMember",
    "ProjectState",
]


class ProjectFlow(enum.Enum):
    """Which of the procedure's two flows a project follows (derived from its requests).

    ``provision`` (가명정보 제공): one agency's dataset, pseudonymized and provided;
    nothing is linked. ``combination`` (가명정보 결합): datasets of several
    agencies, linked through the linkage unit and combined.
    """

    provision = "provision"
    combination = "combination"


class ProjectState(enum.Enum):
    """Where a project is in its life (stages 1 to 6)."""

    applied = "applied"
    approved = "approved"
    provisioned = "provisioned"
    active = "active"
    closing = "closing"
    destroyed = "destroyed"
    declined = "declined"


class Decision(enum.Enum):
    """A party's decision on an application."""

    pending = "pending"
    approved = "approved"
    declined = "declined"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=30)


class Project(Base):
    """A research project and its application."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    analysis_plan: Mapped[str] = mapped_column(Text, default="")
    #: JSON list of the plan's key variables, most important first: additional
    #: processing keeps them finest and blanks their values last.
    key_variables: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    retention_end: Mapped[dt.date] = mapped_column(Date)
    keep_unlinked: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ProjectState] = mapped_column(_enum(ProjectState, "project_state"), default=ProjectState.applied)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # SHA-256 of the application as submitted; every decision names it.
    application_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)

    applicant: Mapped[User] = relationship()
    members: Mapped[list[ProjectMember]] = relationship(back_populates="project", cascade="all, delete-orphan")
    requests: Mapped[list[DatasetRequest]] = relationship(back_populates="project", cascade="all, delete-orphan")
    decisions: Mapped[list[ProjectDecision]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectDecision.id")

    @property
    def is_active(self) -> bool:
        """Whether researchers may work on it now."""
        return self.state is ProjectState.active

    @property
    def flow(self) -> ProjectFlow:
        """Provision for one agency's data, combination for several agencies'."""
        return ProjectFlow.provision if len(self.agency_codes) == 1 else ProjectFlow.combination

    @property
    def agency_codes(self) -> list[str]:
        """The agencies whose data the project requests, sorted."""
        return sorted({r.dataset.agency_code for r in self.requests})


class ProjectMember(Base):
    """A researcher on a project's team."""

    __tablename__ = "project_members"
    __table_args__ = (UniqueConstraint("project_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    is_lead: Mapped[bool] = mapped_column(default=False)

    project: Mapped[Project] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class DatasetRequest(Base):
    """The variables of one dataset a project asks for, and its agency's answer."""

    __tablename__ = "dataset_requests"
    __table_args__ = (UniqueConstraint("project_id", "dataset_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    variables: Mapped[str] = mapped_column(Text, default="[]")
    decision: Mapped[Decision] = mapped_column(_enum(Decision, "request_decision"), default=Decision.pending)

    project: Mapped[Project] = relationship(back_populates="requests")
    dataset: Mapped[Dataset] = relationship()


class ProjectDecision(Base):
    """One decision on an application: by an agency for its part, or by a steward."""

    __tablename__ = "project_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # "agency:<code>", "steward", "destruction", "activation" …
    kind: Mapped[str] = mapped_column(String(80))
    decision: Mapped[Decision] = mapped_column(_enum(Decision, "project_decision"))
    comment: Mapped[str] = mapped_column(Text, default="")
    application_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="decisions")
    actor: Mapped[User] = relationship()


class DestructionCertificate(Base):
    """The signed record that a project's data and keys were destroyed."""

    __tablename__ = "destruction_certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    body: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
