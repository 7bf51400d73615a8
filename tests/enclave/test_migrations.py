"""The shipped migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from enclave.db.models import Base, LinkageUnitBase
from enclave.service import EnclaveService


def test_migrated_database_matches_the_models(svc: EnclaveService) -> None:
    combined = MetaData()
    for metadata in (Base.metadata, LinkageUnitBase.metadata):
        for table in metadata.tables.values():
            table.to_metadata(combined)
    with svc.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, combined)
    assert diff == []
