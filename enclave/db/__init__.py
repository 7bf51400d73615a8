"""The enclave's database: models, engine, migrations."""

from __future__ import annotations

from enclave.db.engine import Database, make_engine
from enclave.db.migrate import current_revision, head_revision, upgrade_database
from enclave.db.models.base import utcnow

__all__ = [
    "Database",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade_database",
    "utcnow",
]
