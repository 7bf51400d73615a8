"""A separately deployed linkage unit, opened: its folder, keys, database and audit log.

It is the same :class:`~enclave.linkage_unit.LinkageUnitRole` the enclave
embeds, given a folder and database of its own and an audit log under its
own key. Its database holds only its tables: the ``lu_`` tables (match-key
submissions, linkage runs, API tokens) and its own audit events; its
connections refuse any statement that names one of the enclave's tables.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db import Database
from enclave.db.migrations.append_only import forbid_changes
from enclave.db.models import AuditEvent, LinkageUnitBase
from enclave.errors import ConfigurationError, EnclaveError, InputError, NotInitialized
from enclave.linkage_unit.published_keys import published_key_entry
from enclave.linkage_unit.role import LINKAGE_UNIT, LinkageUnitRole
from enclave.linkage_unit.settings import LinkageUnitSettings
from enclave.messages import text
from enclave.parties import ENCLAVE
from enclave.settings import mask_url
from enclave.store import atomic_write
from enclave.store.interrupted import remove_interrupted_writes
from linkage.party_keys import fingerprint, generate_party_keys, save_party_keys

__all__ = ["LinkageUnitInitReport", "LinkageUnitService", "initialize_linkage_unit", "open_linkage_unit_service"]

_CODE = re.compile(r"^[a-z][a-z0-9_-]{1,63}$")


@dataclass(frozen=True)
class LinkageUnitInitReport:
    """What :func:`initialize_linkage_unit` did."""

    created_keys: bool
    created_schema: bool
    database: str


def _create_schema(database_url: str) -> bool:
    db = Database(database_url)
    try:
        db.check_reachable()
        with db.engine.begin() as conn:
            # Only the linkage unit's tables and an audit log: never the enclave's schema.
            created = not inspect(conn).has_table("audit_events")
            LinkageUnitBase.metadata.create_all(conn)
            if created:
                AuditEvent.__table__.create(conn)  # type: ignore[attr-defined]
                with Operations.context(MigrationContext.configure(conn)):
                    forbid_changes("audit_events")
        return created
    finally:
        db.dispose()


def initialize_linkage_unit(settings: LinkageUnitSettings) -> LinkageUnitInitReport:
    """Create the linkage unit's folder (0700), key pairs, audit key and database. Safe to run again.

    Existing keys are never replaced; existing tables are kept.
    """
    for folder in (settings.data_dir, settings.keys_dir, settings.data_dir / "parties", settings.data_dir / "store"):
        folder.mkdir(parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    created_keys = not (settings.keys_dir / f"{LINKAGE_UNIT}.sealing.key.pem").exists()
    if created_keys:
        save_party_keys(generate_party_keys(LINKAGE_UNIT), settings.keys_dir)
    if not settings.audit_key_file.exists():
        atomic_write(settings.audit_key_file, secrets.token_hex(32).encode("ascii"), mode=0o600)
    created_schema = _create_schema(settings.database_url)
    if settings.database_url.startswith("sqlite:///"):
        os.chmod(settings.database_url.removeprefix("sqlite:///"), 0o600)
    service = open_linkage_unit_service(settings)
    try:
        with service.session() as session:
            service.audit.record(session, actor="system", action="lu.init", object_type="linkage_unit",
                                 created_keys=created_keys, created_schema=created_schema)
    finally:
        service.close()
    return LinkageUnitInitReport(created_keys, created_schema, mask_url(settings.database_url))


class LinkageUnitService:
    """Handles to everything a separate linkage unit needs; build with :func:`open_linkage_unit_service`."""

    def __init__(self, settings: LinkageUnitSettings, audit_key: bytes) -> None:
        self.settings = settings
        self.audit = AuditLog(audit_key, settings.data_dir / "audit.head")
        self.role = LinkageUnitRole(settings.data_dir, settings.database_url, self.audit)
        self.db = self.role.db

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session on its own database in one transaction; a refusal's audit event is recorded after rollback."""
        try:
            with self.db.session() as session:
                yield session
        except EnclaveError as error:
            if error.audit is not None:
                self.record_event(**error.audit)
            raise

    def record_event(self, **event: object) -> None:
        """Record an audit event in a transaction of its own (after the refused work rolled back)."""
        with self.db.session() as session:
            self.audit.record(session, **event)  # type: ignore[arg-type]

    def sweep_interrupted_writes(self) -> int:
        """Remove what killed processes left in its data folder, one audit event each; returns how many."""
        return len(remove_interrupted_writes(self.settings.data_dir,
                                             lambda leftover: self.record_event(**leftover.audit_event())))

    def close(self) -> None:
        """Release database connections."""
        self.role.close()

    # -- keys -------------------------------------------------------------------
    def public_keys(self) -> list[dict[str, str]]:
        """Its public keys as ``GET /api/v1/keys`` lists them: sealing, then signing."""
        keys = self.role.keys
        return [published_key_entry(LINKAGE_UNIT, keys.sealing_public),
                published_key_entry(LINKAGE_UNIT, keys.signing_public)]

    @property
    def _enclave_key_path(self) -> Path:
        return self.role.parties_dir / f"{ENCLAVE}.sealing.pub.pem"

    def enclave_sealing_public(self) -> X25519PublicKey:
        """The enclave's sealing key that linkage maps are sealed to.

        Raises:
            ConfigurationError: ``trust-enclave`` has not been run.
        """
        if not self._enclave_key_path.is_file():
            raise ConfigurationError(text("lu.no_enclave_key"))
        key = load_pem_public_key(self._enclave_key_path.read_bytes())
        assert isinstance(key, X25519PublicKey)
        return key

    def trust_enclave(self, sealing_pem: bytes, actor: str) -> str:
        """Register the enclave's X25519 sealing key; returns its fingerprint.

        Raises:
            InputError: Not an X25519 public key in PEM.
        """
        try:
            key = load_pem_public_key(sealing_pem)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, X25519PublicKey):
            raise InputError(text("lu.bad_enclave_key"))
        atomic_write(self._enclave_key_path, sealing_pem, mode=0o644)
        with self.session() as session:
            self.audit.record(session, actor=actor, action="lu.trust_enclave", object_type="linkage_unit",
                              fingerprint=fingerprint(key))
        return fingerprint(key)

    def trust_agency(self, agency_code: str, signing_pem: bytes, actor: str) -> str:
        """Trust an agency's Ed25519 signing key for its match-key packages; returns its fingerprint.

        Raises:
            InputError: A bad agency code, or not an Ed25519 public key in PEM.
        """
        if not _CODE.match(agency_code) or agency_code in (ENCLAVE, LINKAGE_UNIT):
            raise InputError(text("parties.bad_code"))
        try:
            key = load_pem_public_key(signing_pem)
        except (ValueError, TypeError):
            key = None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError(text("parties.bad_key"))
        atomic_write(self.role.parties_dir / f"{agency_code}.signing.pub.pem", signing_pem, mode=0o644)
        with self.session() as session:
            self.audit.record(session, actor=actor, action="lu.trust_agency", object_type="agency",
                              object_id=agency_code, fingerprint=fingerprint(key))
        return fingerprint(key)

    def trusted_agencies(self) -> dict[str, str]:
        """Each trusted agency's code and its signing key's fingerprint."""
        return {code: fingerprint(key) for code, key in self.role.trusted_signers().items()
                if code != ENCLAVE}


def open_linkage_unit_service(settings: LinkageUnitSettings) -> LinkageUnitService:
    """Open an initialized linkage unit.

    Raises:
        NotInitialized: ``enclave linkage-unit init`` has not been run here.
        DatabaseUnreachable: Its database cannot be reached.
    """
    if not settings.audit_key_file.is_file() or not (settings.keys_dir / f"{LINKAGE_UNIT}.sealing.key.pem").is_file():
        raise NotInitialized(text("lu.not_initialized"))
    audit_key = bytes.fromhex(settings.audit_key_file.read_text(encoding="ascii").strip())
    service = LinkageUnitService(settings, audit_key)
    service.db.check_reachable()
    with service.db.engine.connect() as conn:
        if not inspect(conn).has_table("lu_tokens"):
            service.close()
            raise NotInitialized(text("lu.not_initialized"))
    return service
