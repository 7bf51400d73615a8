"""The linkage unit role: match keys in, linkage map out, never content."""

from __future__ import annotations

from enclave.linkage_unit.role import LINKAGE_UNIT, LinkageUnitRole, ReceivedMatchKeys

__all__ = ["LINKAGE_UNIT", "LinkageUnitRole", "ReceivedMatchKeys"]
