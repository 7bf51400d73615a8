"""The tamper-evident audit log."""

from __future__ import annotations

from enclave.audit.log import GENESIS, AuditLog, AuditRecord

__all__ = ["GENESIS", "AuditLog", "AuditRecord"]
