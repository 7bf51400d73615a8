"""Schema migrations shipped inside the package, run through Alembic's API."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import OperationalError

from enclave.db.engine import Database
from enclave.errors import DatabaseUnreachable, SchemaTooNew
from enclave.messages import text
from enclave.settings import mask_url

__all__ = ["current_revision", "head_revision", "upgrade_database"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return config


def head_revision() -> str:
    """Return the newest revision this version of the software knows."""
    script = ScriptDirectory(str(_MIGRATIONS))
    head = script.get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(db: Database) -> str | None:
    """Return the database's revision, or ``None`` when it has no schema yet."""
    try:
        with db.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except OperationalError:
        raise DatabaseUnreachable(text("db.unreachable", url=mask_url(db.url))) from None


def upgrade_database(db: Database) -> tuple[str | None, str]:
    """Bring the database to the newest schema; safe to run again.

    Returns:
        The revision before and after.

    Raises:
        SchemaTooNew: When the database was migrated by a newer version;
            nothing is changed then.
    """
    before = current_revision(db)
    script = ScriptDirectory(str(_MIGRATIONS))
    if before is not None and before not in {rev.revision for rev in script.walk_revisions()}:
        raise SchemaTooNew(text("db.newer_schema", revision=before))
    config = _config(db)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    return before, head_revision()
