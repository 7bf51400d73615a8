"""The open enclave: settings, database, keys, storage and audit log together.

Every entry point — the CLI, the web app, the hub, the demo — opens one
:class:`EnclaveService` and works through it, so key handling and auditing
are done the same way everywhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db import Database, current_revision, head_revision
from enclave.db.separation import guard_engine
from enclave.errors import ConfigurationError, EnclaveError, NotInitialized, SchemaTooNew
from enclave.keys import KeyFile, Keyring, load_key_file
from enclave.messages import text
from enclave.settings import Settings
from enclave.store import EncryptedObjectStore
from enclave.store.interrupted import remove_interrupted_writes

if TYPE_CHECKING:
    from enclave.linkage_unit import LinkageUnitRole

__all__ = ["EnclaveService", "open_enclave", "open_linkage_unit"]


@dataclass
class EnclaveService:
    """Handles to everything the enclave needs; build with :func:`open_enclave`."""

    settings: Settings
    db: Database
    keys: KeyFile
    keyring: Keyring = field(init=False)
    audit: AuditLog = field(init=False)
    store: EncryptedObjectStore = field(init=False)

    def __post_init__(self) -> None:
        self.keyring = Keyring(self.keys)
        self.audit = AuditLog(self.keys.audit_key, self.settings.data_dir / "audit.head",
                              signer=self.keys.signing_key)
        self.store = EncryptedObjectStore(self.settings.objects_dir)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A database session in one transaction (committed on success).

        When an :class:`EnclaveError` that carries an audit event escapes,
        the transaction rolls back first and the event is then recorded in
        a transaction of its own.
        """
        try:
            with self.db.session() as session:
                yield session
        except EnclaveError as error:
            if error.audit is not None:
                self.record_event(**error.audit)
                # Recorded once: the web layer's error handler must not record it again.
                error.audit = None
            raise

    def record_event(self, **event: object) -> None:
        """Record an audit event in a transaction of its own.

        Used for refusals after the refused work rolled back; call it only
        outside any open transaction (SQLite allows one writer at a time).
        """
        with self.db.session() as session:
            self.audit.record(session, **event)  # type: ignore[arg-type]

    def sweep_interrupted_writes(self) -> int:
        """Remove what killed processes left in the data folder, one audit event each; returns how many.

        See :mod:`enclave.store.interrupted`: safe while other processes write.
        """
        return len(remove_interrupted_writes(self.settings.data_dir,
                                             lambda leftover: self.record_event(**leftover.audit_event())))

    def put_object(self, session: Session, object_id: str, data: bytes, key_id: str) -> None:
        """Encrypt ``data`` under data key ``key_id`` and store it as ``object_id``."""
        self.store.put(object_id, data, self.keyring.unwrap(session, key_id), key_id)

    def get_object(self, session: Session, object_id: str, key_id: str) -> bytes:
        """Read and decrypt ``object_id`` stored under data key ``key_id``."""
        return self.store.get(object_id, self.keyring.unwrap(session, key_id), key_id)

    def reload_keys(self) -> None:
        """Re-read the key file (after a rotation)."""
        self.keys = load_key_file(self.settings.key_file)
        self.keyring = Keyring(self.keys)

    def close(self) -> None:
        """Release database connections."""
        self.db.dispose()


def open_enclave(settings: Settings, *, require_schema: bool = True) -> EnclaveService:
    """Open an initialized enclave.

    Args:
        settings: The service settings.
        require_schema: Check the database is at this software's schema.

    Raises:
        ConfigurationError: Unsafe secrets or a missing/invalid key file.
        DatabaseUnreachable: The database cannot be reached.
        NotInitialized: ``enclave init`` has not been run.
        SchemaTooNew: The database is newer than the software.
    """
    settings.check_secrets()
    keys = load_key_file(settings.key_file)
    db = Database(settings.database_url)
    if require_schema:
        revision = current_revision(db)
        if revision is None:
            raise NotInitialized(text("db.not_initialized"))
        if revision != head_revision():
            from enclave.db.migrate import upgrade_database

            # An older schema is brought forward; a newer one is refused untouched.
            try:
                upgrade_database(db)
            except SchemaTooNew:
                db.dispose()
                raise
    guard_engine(db.engine, "enclave")
    return EnclaveService(settings=settings, db=db, keys=keys)


def open_linkage_unit(settings: Settings, svc: EnclaveService) -> LinkageUnitRole:
    """Open the linkage unit role beside the enclave (its own keys, tables, guard).

    It shares only the audit log, which records metadata.

    Raises:
        ConfigurationError: A separate linkage unit is configured (``ENCLAVE_LINKAGE_UNIT_URL``):
            the enclave then never opens the in-process role.
    """
    from enclave.linkage_unit import LinkageUnitRole

    if settings.has_separate_linkage_unit:
        raise ConfigurationError(text("linkage_unit.separate", url=settings.linkage_unit_url))
    return LinkageUnitRole(settings.linkage_unit_dir, settings.database_url, svc.audit)
