"""Receiving a sealed package: one algorithm for the enclave and the linkage unit.

Both parties take packages from agencies the same way: a repeat of the very
package already held (an agency's retry after a lost answer) is answered with
the original record and stores nothing; otherwise the package is opened with
the party's own sealing key against the signers it trusts, refused as a
replay when its id was seen before, refused when it is addressed to another
agency or project, and kept — the row first, claiming the package id, then
the bytes, so a racing second arrival fails on the row and never overwrites
what the first stored. Every refusal carries its audit event.

:class:`PackageReceiver` is that algorithm as template methods (the pattern of
Splink's ``DatabaseAPI``); each party says only where its rows and bytes go.
"""

from __future__ import annotations

import contextlib
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.errors import Conflict, InputError
from enclave.messages import text
from linkage.errors import LinkageError, ReplayedPackageError
from linkage.sealing import OpenedPackage, open_package, read_manifest

__all__ = ["HeldPackage", "PackageReceiver"]

Receipt = TypeVar("Receipt")


class HeldPackage:
    """What a party holds of a package already: enough to recognise the very same package again."""

    def __init__(self, *, sha256: str, agency_code: str, project: int, row_count: int, record: Any) -> None:
        self.sha256 = sha256
        self.agency_code = agency_code
        self.project = project
        self.row_count = row_count
        self.record = record


class PackageReceiver(ABC, Generic[Receipt]):
    """Receive one kind of sealed package for one party.

    Subclasses set :attr:`kind` (``content`` or ``match_keys``) and
    :attr:`action` (the audit action), and fill in the template methods.
    """

    kind: str
    action: str

    # -- what each party provides -------------------------------------------------
    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        """A transaction on the party's own tables."""

    @property
    @abstractmethod
    def audit_log(self) -> AuditLog:
        """The party's audit log."""

    @abstractmethod
    def sealing_key(self) -> Any:
        """The party's X25519 private key, which packages are sealed to."""

    @abstractmethod
    def trusted_signers(self) -> Mapping[str, Any]:
        """The agencies' signing keys the party trusts, by code."""

    @abstractmethod
    def held(self, session: Session, package_id: str) -> HeldPackage | None:
        """What the party holds under ``package_id``, if anything."""

    @abstractmethod
    def seen_ids(self, session: Session) -> set[str]:
        """Every package id the party has received (for the replay check)."""

    @abstractmethod
    def keep(self, session: Session, opened: OpenedPackage, data: bytes, digest: str, *, agency_code: str,
             project: int, actor: str) -> Any:
        """Add the row (and flush it), then store the bytes; return the row."""

    @abstractmethod
    def receipt(self, record: Any, digest: str, *, duplicate: bool) -> Receipt:
        """The answer for a kept or repeated package."""

    def audit_details(self, agency_code: str) -> dict[str, object]:
        """Extra details of this party's audit events."""
        return {"agency": agency_code}

    # -- the algorithm ------------------------------------------------------------
    @contextlib.contextmanager
    def _refusals(self, refusal: dict[str, object]) -> Iterator[None]:
        try:
            yield
        except LinkageError as error:
            cls = Conflict if isinstance(error, ReplayedPackageError) else InputError
            raise cls(str(error), audit={**refusal, "reason": type(error).__name__}) from None

    def _repeat(self, data: bytes, digest: str, agency_code: str, project: int, actor: str) -> Receipt | None:
        try:
            package_id = read_manifest(data, source="upload").package_id
        except LinkageError:
            return None  # open_package refuses it below, with the precise reason
        with self.transaction() as session:
            held = self.held(session, package_id)
            if held is None or (held.sha256, held.agency_code, held.project) != (digest, agency_code, project):
                return None
            self.audit_log.record(session, actor=actor, action=self.action, object_type="project",
                                  object_id=project, outcome="duplicate", rows=held.row_count,
                                  package_sha256=digest, **self.audit_details(agency_code))  # type: ignore[arg-type]
            return self.receipt(held.record, digest, duplicate=True)

    def receive(self, data: bytes, *, agency_code: str, project: int, actor: str) -> Receipt:
        """Verify and keep a package from ``agency_code`` for ``project``, or answer a repeat of it.

        Raises:
            InputError: Not a valid package of this kind, not sealed to this party,
                not signed by a trusted agency, or addressed to another agency or project.
            Conflict: A different package with an id received before (a replay).
        """
        digest = hashlib.sha256(data).hexdigest()
        refusal: dict[str, object] = {"actor": actor, "action": self.action, "object_type": "project",
                                      "object_id": project, "outcome": "denied"}
        again = self._repeat(data, digest, agency_code, project, actor)
        if again is not None:
            return again
        try:
            with self.transaction() as session:
                with self._refusals(refusal):
                    opened = open_package(data, self.sealing_key(), self.trusted_signers(), self.seen_ids(session),
                                          source="upload").expect(self.kind, "upload")
                manifest = opened.manifest
                if manifest.agency != agency_code or str(manifest.project_id) != str(project):
                    raise InputError(text("intake.misaddressed"), audit={**refusal, "reason": "misaddressed"})
                record = self.keep(session, opened, data, digest, agency_code=agency_code, project=project,
                                   actor=actor)
                self.audit_log.record(session, actor=actor, action=self.action, object_type="project",
                                      object_id=project, rows=manifest.row_count, package_sha256=digest,
                                      **self.audit_details(agency_code))  # type: ignore[arg-type]
                return self.receipt(record, digest, duplicate=False)
        except IntegrityError:
            # A retry raced the first attempt, which committed in between: answer as for any repeat.
            again = self._repeat(data, digest, agency_code, project, actor)
            if again is not None:
                return again
            raise Conflict(text("intake.replayed"), audit={**refusal, "reason": "ReplayedPackageError"}) from None
