"""The enclave's database models (SQLAlchemy 2 typed), split by subject."""

from __future__ import annotations

from enclave.db.models.accounts import ApiToken, Role, User
from enclave.db.models.agencies import Agency, AgencyKey, AgencyKeyState, AgencyState
from enclave.db.models.audit import AuditEvent
from enclave.db.models.base import MAX_ROW_ID, Base, LinkageUnitBase, UtcDateTime, utcnow
from enclave.db.models.catalog import Dataset, DatasetVariable
from enclave.db.models.exports import ExportOutput, ExportRequest, ExportVote, LedgerRecord, Release
from enclave.db.models.jobs import ACTIVE_JOB_STATES, Job, JobKind, JobState
from enclave.db.models.keys import DataKey
from enclave.db.models.linkage_unit import LinkageUnitToken, TokenHolder
from enclave.db.models.logins import LoginFailure
from enclave.db.models.projects import (
    DatasetRequest,
    Decision,
    DestructionCertificate,
    Project,
    ProjectDecision,
    ProjectFlow,
    ProjectMember,
    ProjectState,
)
from enclave.db.models.submissions import (
    LinkageMapReceipt,
    LinkageRun,
    LinkedDataset,
    MatchKeySubmission,
    ReviewState,
    RiskReview,
    Submission,
    SyntheticReplica,
)
from enclave.db.models.web_sessions import SessionEnd, WebSession

__all__ = [
    "MAX_ROW_ID",
    "ACTIVE_JOB_STATES",
    "Agency",
    "AgencyKey",
    "AgencyKeyState",
    "AgencyState",
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
    "Job",
    "JobKind",
    "JobState",
    "LedgerRecord",
    "LinkageMapReceipt",
    "LinkageRun",
    "LinkageUnitBase",
    "LinkageUnitToken",
    "LinkedDataset",
    "LoginFailure",
    "MatchKeySubmission",
    "Project",
    "ProjectDecision",
    "ProjectMember",
    "ProjectFlow",
    "ProjectState",
    "Release",
    "ReviewState",
    "RiskReview",
    "Role",
    "SessionEnd",
    "Submission",
    "SyntheticReplica",
    "TokenHolder",
    "User",
    "UtcDateTime",
    "utcnow",
    "WebSession",
]
