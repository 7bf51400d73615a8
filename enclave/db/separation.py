"""Enforcing the separation principle on the shared database.

On one machine the enclave and the linkage unit share a database server, so
the code enforces what separate deployments would: the enclave's connections
refuse any statement that names a linkage-unit table (``lu_…``), and the
linkage unit's connections refuse any statement that names one of the
enclave's tables. A bug or a curious query fails loudly instead of joining
content to match keys.
"""

from __future__ import annotations

import re
from typing import Literal

from sqlalchemy import Engine, event

from enclave.db.models import Base, LinkageUnitBase

__all__ = ["SeparationViolation", "guard_engine"]

Role = Literal["enclave", "linkage_unit"]


class SeparationViolation(RuntimeError):
    """A role's connection tried to touch the other role's tables."""


def _pattern(names: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b")


_LU_TABLES = _pattern(list(LinkageUnitBase.metadata.tables))
_ENCLAVE_TABLES = _pattern([t for t in Base.metadata.tables if t != "audit_events"])


def guard_engine(engine: Engine, role: Role) -> Engine:
    """Install the statement guard for ``role`` on ``engine`` and return it.

    The linkage unit may still write audit events: the audit log is shared
    infrastructure, and what it records is metadata, never content.
    """
    forbidden = _LU_TABLES if role == "enclave" else _ENCLAVE_TABLES

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # Schema reflection (PRAGMA on SQLite) is metadata, not data access.
        if statement.lstrip().upper().startswith("PRAGMA"):
            return
        found = forbidden.search(statement)
        if found:
            raise SeparationViolation(
                f"the {role} role may not access table {found.group(1)}: "
                "the enclave and the linkage unit keep separate tables")

    return engine
