"""Receiving sealed packages from agencies (stage 4-3, 결합대상정보 송신).

An upload is streamed to a private temporary file while its size and SHA-256
are counted, so an oversized, truncated or altered upload is refused before
anything is kept. Match-key packages go to the linkage unit, content packages
to the enclave; which is which is read from the signed manifest, and each
role opens only what was sealed to it. Content is re-encrypted under the
project's data key, so destroying the project's keys destroys it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db.models import Decision, Project, ProjectState, Role, Submission, User
from enclave.errors import Conflict, EnclaveError, InputError, NotFound, PermissionDenied
from enclave.keys import project_key_id
from enclave.linkage_unit import LinkageUnitRole
from enclave.messages import label, text
from enclave.parties import enclave_trusted_signers
from enclave.projects.access import require_project_access
from enclave.receiving import HeldPackage, PackageReceiver
from enclave.service import EnclaveService
from enclave.store.interrupted import incoming_file
from linkage.errors import LinkageError
from linkage.sealing import OpenedPackage, read_manifest

__all__ = [
    "PayloadTooLarge",
    "ReceivedPackage",
    "latest_submissions",
    "receive_package",
    "stream_to_file",
    "submissions_for",
]

_CHUNK = 1 << 20


class PayloadTooLarge(InputError):
    """The upload is over the size limit."""

    status = 413


@dataclass(frozen=True)
class ReceivedPackage:
    """What happened to an upload; ``duplicate`` when this very package had arrived before."""

    kind: str
    package_id: str
    row_count: int
    sha256: str
    received_by: str
    duplicate: bool = False


def stream_to_file(stream: BinaryIO, path: os.PathLike[str], limit: int,
                   content_length: int | None) -> tuple[str, int]:
    """Copy an upload to a new private file at ``path``, counting its size and SHA-256.

    Returns:
        The hex SHA-256 and the size.

    Raises:
        PayloadTooLarge: More than ``limit`` bytes.
        InputError: Fewer bytes than ``content_length`` declared (an interrupted upload).
    """
    digest = hashlib.sha256()
    size = 0
    # The file exists already, claimed (and locked) by enclave.store.interrupted.incoming_file.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        while True:
            chunk = stream.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(text("intake.too_large", limit_mb=limit >> 20))
            digest.update(chunk)
            out.write(chunk)
    if content_length is not None and size != content_length:
        raise InputError(text("intake.truncated", received=size, expected=content_length))
    return digest.hexdigest(), size


def _check_agency(session: Session, agency_user: User, project_id: int) -> Project:
    if agency_user.role is not Role.agency:
        raise PermissionDenied(text("users.forbidden", role=label(agency_user.role)))
    project = require_project_access(session, agency_user, project_id)
    parts = [r for r in project.requests if r.dataset.agency_code == agency_user.agency_code]
    # Agencies are asked to submit only once the application is approved by everyone.
    if project.state not in (ProjectState.approved,) or any(r.decision is not Decision.approved for r in parts):
        raise Conflict(text("intake.not_requested"))
    return project


def receive_package(
    svc: EnclaveService,
    linkage_unit: LinkageUnitRole | None,
    *,
    agency_user: User,
    project_id: int,
    stream: BinaryIO,
    declared_sha256: str | None = None,
    content_length: int | None = None,
) -> ReceivedPackage:
    """Receive one sealed package from an agency for a project.

    Args:
        svc: The open enclave.
        linkage_unit: The in-process linkage unit role, which takes match-key packages;
            ``None`` when a separate linkage unit does (``ENCLAVE_LINKAGE_UNIT_URL``).
        agency_user: The uploading agency's account.
        project_id: The project the package is for.
        stream: The request body.
        declared_sha256: The SHA-256 the agency declared (hex), checked if given.
        content_length: The declared length, to detect an interrupted upload.

    Returns:
        What was received.

    Raises:
        PayloadTooLarge: Over ``ENCLAVE_UPLOAD_MAX_MB``.
        InputError: Truncated, checksum mismatch, bad signature, wrong recipient, misaddressed.
        Conflict: A replayed package, or a project that is not waiting for data.
    """
    with svc.session() as session:
        _check_agency(session, agency_user, project_id)
        username, agency_code = agency_user.username, str(agency_user.agency_code)
    refusal = {"actor": username, "action": "intake.upload", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    with incoming_file(svc.settings.data_dir, "upload") as tmp:
        try:
            digest, size = stream_to_file(stream, tmp, svc.settings.upload_max_mb << 20, content_length)
        except EnclaveError as error:
            svc.record_event(**refusal, reason=type(error).__name__)
            raise
        if declared_sha256 and declared_sha256.lower() != digest:
            svc.record_event(**refusal, reason="checksum")
            raise InputError(text("intake.checksum"))
        data = tmp.read_bytes()
        try:
            kind = read_manifest(data, source="upload").kind
        except LinkageError as error:
            svc.record_event(**refusal, reason=type(error).__name__)
            raise InputError(str(error)) from None
        if kind == "match_keys":
            if linkage_unit is None:
                # The match keys are sealed to the linkage unit: this enclave could not open them, and
                # keeping them here would put match keys and content in one place.
                svc.record_event(**refusal, reason="belongs_to_linkage_unit")
                raise InputError(text("intake.match_keys_elsewhere", url=svc.settings.linkage_unit_url))
            got = linkage_unit.receive(data, agency_code=agency_code, project_ref=project_id, actor=username)
            return ReceivedPackage("match_keys", got.package_id, got.row_count, digest, "linkage-unit",
                                   got.duplicate)
        if kind == "content":
            return ContentReceiver(svc, received_by=username, size=size).receive(
                data, agency_code=agency_code, project=project_id, actor=username)
        svc.record_event(**refusal, reason="kind")
        raise InputError(text("intake.unknown_kind", kind=kind))


class ContentReceiver(PackageReceiver[ReceivedPackage]):
    """The enclave's receiver (:class:`~enclave.receiving.PackageReceiver`): content, under the project's key."""

    kind = "content"
    action = "intake.upload"

    def __init__(self, svc: EnclaveService, *, received_by: str, size: int) -> None:
        self.svc = svc
        self.received_by = received_by
        self.size = size

    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        """A transaction of the enclave (refusals it carries are audited after the rollback)."""
        return self.svc.session()

    @property
    def audit_log(self) -> AuditLog:
        """The enclave's audit log."""
        return self.svc.audit

    def sealing_key(self) -> Any:
        """The enclave's sealing key."""
        return self.svc.keys.sealing_key

    def trusted_signers(self) -> Mapping[str, Any]:
        """The agencies (and linkage unit) the enclave trusts."""
        return enclave_trusted_signers(self.svc.settings)

    def held(self, session: Session, package_id: str) -> HeldPackage | None:
        """The content submission under ``package_id``."""
        row = session.scalar(select(Submission).where(Submission.package_id == package_id))
        return None if row is None else HeldPackage(sha256=row.sha256, agency_code=row.agency_code,
                                                    project=row.project_id, row_count=row.row_count, record=row)

    def seen_ids(self, session: Session) -> set[str]:
        """Every content package id the enclave received."""
        return set(session.scalars(select(Submission.package_id)))

    def keep(self, session: Session, opened: OpenedPackage, data: bytes, digest: str, *, agency_code: str,
             project: int, actor: str) -> Submission:
        """Record the submission, then store its content under the project's data key."""
        manifest = opened.manifest
        object_id = f"projects/{project}/submissions/{agency_code}-{manifest.package_id}"
        meta = {k: v for k, v in manifest.to_dict().items()
                if k in ("schema_name", "schema_version", "schema_hash", "columns", "row_count", "created_at",
                         "precheck")}
        row = Submission(project_id=project, agency_code=agency_code, package_id=manifest.package_id,
                         object_id=object_id, sha256=digest, size=self.size, row_count=manifest.row_count,
                         manifest=json.dumps(meta, ensure_ascii=False), received_by=self.received_by)
        session.add(row)
        session.flush()
        self.svc.put_object(session, object_id, opened.payload, project_key_id(project))
        return row

    def receipt(self, record: Submission, digest: str, *, duplicate: bool) -> ReceivedPackage:
        """The receipt an agency gets."""
        return ReceivedPackage("content", record.package_id, record.row_count, digest, "enclave",
                               duplicate=duplicate)

    def audit_details(self, agency_code: str) -> dict[str, object]:
        """Content events name their kind and agency."""
        return {"kind": "content", "agency": agency_code}


def submissions_for(session: Session, agency_user: User) -> list[Submission]:
    """Content submissions the agency made, newest first."""
    if agency_user.role is not Role.agency:
        raise NotFound(text("projects.not_found"))
    return list(session.scalars(select(Submission).where(Submission.agency_code == agency_user.agency_code)
                                .order_by(Submission.id.desc())))


def latest_submissions(session: Session, project: Project) -> dict[str, Submission]:
    """Each requested agency's newest content submission for ``project``.

    Raises:
        NotFound: Content has not arrived yet from some agency (named in the message).
    """
    rows = session.scalars(select(Submission).where(Submission.project_id == project.id).order_by(Submission.id))
    latest = {r.agency_code: r for r in rows if r.agency_code in project.agency_codes}
    missing = sorted(set(project.agency_codes) - set(latest))
    if missing:
        raise NotFound(text("provisioning.missing_content", agencies=", ".join(missing)))
    return latest
