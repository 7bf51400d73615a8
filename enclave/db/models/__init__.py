"""The enclave's database models (SQLAlchemy 2 typed), split by subject."""

from __future__ import annotations

from enclave.db.models.accounts import ApiToken, Role, User
from enclave.db.models.audit import AuditEvent
from enclave.db.models.base import Base, LinkageUnitBase, UtcDateTime, utcnow
from enclave.db.models.keys import DataKey

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "DataKey",
    "LinkageUnitBase",
    "Role",
    "User",
    "UtcDateTime",
    "utcnow",
]
