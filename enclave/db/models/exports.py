"""Export requests, their outputs, the two-person votes, releases and the ledger."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.accounts import User
from enclave.db.models.base import Base, UtcDateTime, utcnow
from enclave.db.models.projects import Project

__all__ = ["ExportOutput", "ExportRequest", "ExportVote", "LedgerRecord", "Release"]


class ExportRequest(Base):
    """A researcher's request to take outputs out of the enclave."""

    __tablename__ = "export_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    # export_review.ExportRequestState values.
    state: Mapped[str] = mapped_column(String(30), default="draft")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    project: Mapped[Project] = relationship()
    author: Mapped[User] = relationship()
    outputs: Mapped[list[ExportOutput]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="ExportOutput.id")


class ExportOutput(Base):
    """One output of a request; its evidence is stored encrypted under the project key."""

    __tablename__ = "export_outputs"
    __table_args__ = (UniqueConstraint("request_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("export_requests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    evidence_object: Mapped[str] = mapped_column(String(200))
    # The server's own re-check (JSON): rule, version, status, failing cell labels.
    checks: Mapped[str] = mapped_column(Text, default="[]")
    check_status: Mapped[str] = mapped_column(String(20), default="pass")
    outcome: Mapped[str] = mapped_column(String(30), default="pending")

    request: Mapped[ExportRequest] = relationship(back_populates="outputs")
    votes: Mapped[list[ExportVote]] = relationship(back_populates="output", cascade="all, delete-orphan")


class ExportVote(Base):
    """One reviewer's vote on one output; one vote per reviewer per output."""

    __tablename__ = "export_votes"
    __table_args__ = (UniqueConstraint("output_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("export_outputs.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decision: Mapped[str] = mapped_column(String(30))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    output: Mapped[ExportOutput] = relationship(back_populates="votes")
    reviewer: Mapped[User] = relationship()


class Release(Base):
    """A signed release package built from an approved request."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("export_requests.id"), unique=True)
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    released_by: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LedgerRecord(Base):
    """A released output's entry in the project's release ledger (encrypted object)."""

    __tablename__ = "ledger_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("export_outputs.id"))
    object_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
