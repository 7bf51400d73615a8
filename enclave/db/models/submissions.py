"""Packages received from agencies, and what the enclave made of them.

The enclave's tables hold content submissions and linked datasets; the
linkage unit's tables (``lu_``) hold match-key submissions and linkage runs.
Neither role's code reads the other's tables.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import BigInteger, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.models.base import Base, LinkageUnitBase, UtcDateTime, utcnow

__all__ = [
    "LinkageMapReceipt",
    "LinkedDataset",
    "LinkageRun",
    "MatchKeySubmission",
    "ReviewState",
    "RiskReview",
    "Submission",
    "SyntheticReplica",
]


class ReviewState(enum.Enum):
    """A steward's decision on a risk report or replica."""

    pending = "pending"
    approved = "approved"
    returned = "returned"


class Submission(Base):
    """An agency's content package for a project, re-encrypted under the project's key."""

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("package_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(64))
    # The sealed package's own id: a second arrival of the same id is a replay.
    package_id: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(Integer)
    manifest: Mapped[str] = mapped_column(Text, default="{}")
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LinkageMapReceipt(Base):
    """A sealed linkage map the enclave received from the linkage unit (the map itself is an object)."""

    __tablename__ = "linkage_map_receipts"
    __table_args__ = (UniqueConstraint("package_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    # The sealed map's own id: a second arrival of the same id is a replay.
    package_id: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LinkedDataset(Base):
    """A version of a project's linked data: combined, then pseudonymized, then processed."""

    __tablename__ = "linked_datasets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    stage: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[str] = mapped_column(String(200))
    row_count: Mapped[int] = mapped_column(Integer)
    columns: Mapped[str] = mapped_column(Text, default="[]")
    policy_hash: Mapped[str] = mapped_column(String(64), default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class RiskReview(Base):
    """A risk report on a linked dataset, and the steward's adequacy decision (적정성 검토)."""

    __tablename__ = "risk_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("linked_datasets.id"))
    report_path: Mapped[str] = mapped_column(String(500))
    report_hash: Mapped[str] = mapped_column(String(64))
    policy_hash: Mapped[str] = mapped_column(String(64))
    meets_thresholds: Mapped[bool] = mapped_column()
    summary: Mapped[str] = mapped_column(Text, default="{}")
    ran_by: Mapped[str] = mapped_column(String(64))
    state: Mapped[ReviewState] = mapped_column(
        Enum(ReviewState, name="review_state", native_enum=False, length=20), default=ReviewState.pending)
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SyntheticReplica(Base):
    """A synthetic replica of a project's data, with its measured risk."""

    __tablename__ = "synthetic_replicas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    object_id: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="{}")
    may_release: Mapped[bool] = mapped_column()
    ran_by: Mapped[str] = mapped_column(String(64))
    state: Mapped[ReviewState] = mapped_column(
        Enum(ReviewState, name="replica_state", native_enum=False, length=20), default=ReviewState.pending)
    reviewer: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class MatchKeySubmission(LinkageUnitBase):
    """A match-key package held by the linkage unit (sealed to it; never content)."""

    __tablename__ = "lu_submissions"
    __table_args__ = (UniqueConstraint("package_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The project's number only: the linkage unit knows nothing else of it.
    project_ref: Mapped[int] = mapped_column(Integer, index=True)
    agency_code: Mapped[str] = mapped_column(String(64))
    package_id: Mapped[str] = mapped_column(String(100))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LinkageRun(LinkageUnitBase):
    """One linkage of a project's match-key submissions."""

    __tablename__ = "lu_linkage_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_ref: Mapped[int] = mapped_column(Integer, index=True)
    quality: Mapped[str] = mapped_column(Text, default="{}")
    map_path: Mapped[str] = mapped_column(String(500))
    map_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
