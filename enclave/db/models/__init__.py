"""The enclave's database models (SQLAlchemy 2 typed), split by subject."""

from __future__ import annotations

from enclave.db.models.accounts import ApiToken, Role, User
from enclave.db.models.audit import AuditEvent
from enclave.db.models.base import Base, LinkageUnitBase, UtcDateTime, utcnow
from enclave.db.models.catalog import Dataset, DatasetVariable
from enclave.db.models.exports import ExportOutput, ExportRequest, ExportVote, LedgerRecord, Release
from enclave.db.models.keys import DataKey
from enclave.db.models.logins import LoginFailure
from enclave.db.models.projects import (
    DatasetRequest,
    Decision,
    DestructionCertificate,
    Project,
    ProjectDecision,
    ProjectMember,
    ProjectState,
)
from enclave.db.models.submissions import (
    LinkageRun,
    LinkedDataset,
    MatchKeySubmission,
    ReviewState,
    RiskReview,
    Submission,
    SyntheticReplica,
)

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "DataKey",
    "Dataset",
    "DatasetRequest",
    "DatasetVariable",
    "Decision",
    "DestructionCertificate",
    "ExportOutput",
    "ExportRequest",
    "ExportVote",
    "LedgerRecord",
    "LinkageRun",
    "LinkageUnitBase",
    "LinkedDataset",
    "LoginFailure",
    "MatchKeySubmission",
    "Project",
    "ProjectDecision",
    "ProjectMember",
    "ProjectState",
    "Release",
    "ReviewState",
    "RiskReview",
    "Role",
    "Submission",
    "SyntheticReplica",
    "User",
    "UtcDateTime",
    "utcnow",
]
