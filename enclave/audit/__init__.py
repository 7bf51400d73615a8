"""The tamper-evident audit log."""

from __future__ import annotations

from enclave.audit.anchoring import (
    CHECKPOINT_ACTION,
    CHECKPOINT_EVERY,
    Anchor,
    export_checkpoint,
    parse_anchor_line,
    read_exported_checkpoints,
)
from enclave.audit.log import GENESIS, AuditLog, AuditRecord

__all__ = [
    "CHECKPOINT_ACTION",
    "CHECKPOINT_EVERY",
    "GENESIS",
    "Anchor",
    "AuditLog",
    "AuditRecord",
    "export_checkpoint",
    "parse_anchor_line",
    "read_exported_checkpoints",
]
