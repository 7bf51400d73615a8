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
import secrets
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.db.models import Decision, Project, ProjectState, Role, Submission, User
from enclave.errors import Conflict, EnclaveError, InputError, NotFound, PermissionDenied
from enclave.keys import project_key_id
from enclave.linkage_unit import LinkageUnitRole
from enclave.messages import text
from enclave.parties import enclave_trusted_signers
from enclave.projects.access import require_project_access
from enclave.service import EnclaveService
from linkage.errors import LinkageError, ReplayedPackageError
from linkage.sealing import open_package, read_manifest

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
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
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
        raise PermissionDenied(text("users.forbidden", role=agency_user.role.value))
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
    incoming = svc.settings.data_dir / "incoming"
    incoming.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = incoming / f"upload-{secrets.token_hex(8)}.part"
    refusal = {"actor": username, "action": "intake.upload", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    try:
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
            return _receive_content(svc, data, digest, size, username, agency_code, project_id)
        svc.record_event(**refusal, reason="kind")
        raise InputError(text("intake.unknown_kind", kind=kind))
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _already_received(svc: EnclaveService, package_id: str, digest: str, username: str, agency_code: str,
                      project_id: int) -> ReceivedPackage | None:
    """The original receipt if this very package (id, SHA-256, agency, project) is held already.

    An agency retrying after a lost answer sends the same bytes again; that is
    success, not a replay, and nothing is stored twice. The same id with other
    bytes, or from elsewhere, falls through to ``open_package``'s replay refusal.
    """
    with svc.session() as session:
        held = session.scalar(select(Submission).where(Submission.package_id == package_id))
        if held is None or (held.sha256, held.agency_code, held.project_id) != (digest, agency_code, project_id):
            return None
        svc.audit.record(session, actor=username, action="intake.upload", object_type="project",
                         object_id=project_id, outcome="duplicate", kind="content", agency=agency_code,
                         rows=held.row_count, package_sha256=digest)
        return ReceivedPackage("content", held.package_id, held.row_count, digest, "enclave", duplicate=True)


def _receive_content(svc: EnclaveService, data: bytes, digest: str, size: int, username: str,
                     agency_code: str, project_id: int) -> ReceivedPackage:
    refusal = {"actor": username, "action": "intake.upload", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    claimed = read_manifest(data, source="upload").package_id
    again = _already_received(svc, claimed, digest, username, agency_code, project_id)
    if again is not None:
        return again
    try:
        with svc.session() as session:
            seen = set(session.scalars(select(Submission.package_id)))
            try:
                opened = open_package(data, svc.keys.sealing_key, enclave_trusted_signers(svc.settings), seen,
                                      source="upload").expect("content", "upload")
            except LinkageError as error:
                cls = Conflict if isinstance(error, ReplayedPackageError) else InputError
                raise cls(str(error), audit={**refusal, "reason": type(error).__name__}) from None
            manifest = opened.manifest
            if manifest.agency != agency_code or str(manifest.project_id) != str(project_id):
                raise InputError(text("intake.misaddressed"), audit={**refusal, "reason": "misaddressed"})
            object_id = f"projects/{project_id}/submissions/{agency_code}-{manifest.package_id}"
            meta = {k: v for k, v in manifest.to_dict().items()
                    if k in ("schema_name", "schema_version", "schema_hash", "columns", "row_count", "created_at",
                             "precheck")}
            session.add(Submission(
                project_id=project_id, agency_code=agency_code, package_id=manifest.package_id,
                object_id=object_id, sha256=digest, size=size, row_count=manifest.row_count,
                manifest=json.dumps(meta, ensure_ascii=False), received_by=username))
            # The row claims the package id before the object is written, so a racing
            # second arrival fails here and never overwrites what the first one stored.
            session.flush()
            svc.put_object(session, object_id, opened.payload, project_key_id(project_id))
            svc.audit.record(session, actor=username, action="intake.upload", object_type="project",
                             object_id=project_id, kind="content", agency=agency_code,
                             rows=manifest.row_count, package_sha256=digest)
    except IntegrityError:
        # A retry raced the first attempt, which committed in between: answer as for any repeat.
        again = _already_received(svc, claimed, digest, username, agency_code, project_id)
        if again is not None:
            return again
        raise Conflict(text("intake.replayed"), audit={**refusal, "reason": "ReplayedPackageError"}) from None
    return ReceivedPackage("content", manifest.package_id, manifest.row_count, digest, "enclave")


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
