"""The linkage unit (결합키관리기관) as it runs beside the enclave on one machine.

It has its own key pair, its own folder and its own ``lu_`` tables, reached
through its own guarded connection, and it receives only match-key packages.
It links them with :mod:`linkage` and seals the linkage map to the enclave.
In production this class runs in a separate deployment of another
organisation; nothing in it reads the enclave's tables or keys.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db import Database
from enclave.db.models import LinkageRun, MatchKeySubmission
from enclave.db.separation import guard_engine
from enclave.errors import Conflict, InputError, NotFound
from enclave.messages import text
from enclave.store import atomic_write
from linkage.errors import BadSignatureError, LinkageError, ReplayedPackageError, UnknownSignerError
from linkage.party_keys import PartyKeys, load_party_keys, load_signing_public_key
from linkage.sealing import OpenedPackage, open_package, read_manifest

__all__ = ["LINKAGE_UNIT", "QUALITY_METADATA_KEY", "LinkageUnitRole", "ReceivedMatchKeys"]

LINKAGE_UNIT = "linkage-unit"

#: Where the aggregate quality report travels inside the sealed map: the
#: Parquet schema's metadata, so the linkage unit's signature covers it too.
QUALITY_METADATA_KEY = b"linkage_quality"


class ReceivedMatchKeys:
    """What the linkage unit recorded of a match-key package; ``duplicate`` when it held it already."""

    def __init__(self, submission: MatchKeySubmission, *, duplicate: bool = False) -> None:
        self.id = submission.id
        self.package_id = submission.package_id
        self.row_count = submission.row_count
        self.agency_code = submission.agency_code
        self.duplicate = duplicate


class LinkageUnitRole:
    """The linkage unit: receives match keys, links, sends the map.

    Args:
        root: Its folder (``ENCLAVE_LINKAGE_UNIT_DIR``): ``keys/``, ``parties/``, ``store/``.
        database_url: The database; only ``lu_`` tables are reachable through it.
        audit: The audit log to record into.
    """

    def __init__(self, root: Path, database_url: str, audit: AuditLog) -> None:
        self.root = Path(root)
        self.db = Database(database_url)
        guard_engine(self.db.engine, "linkage_unit")
        self.audit = audit
        self._keys: PartyKeys | None = None

    # -- keys ---------------------------------------------------------------
    @property
    def keys_dir(self) -> Path:
        """Folder of the linkage unit's private keys."""
        return self.root / "keys"

    @property
    def parties_dir(self) -> Path:
        """Folder of the public keys it trusts (agencies) and seals to (the enclave)."""
        return self.root / "parties"

    @property
    def keys(self) -> PartyKeys:
        """The linkage unit's own key pairs (created by ``enclave.parties.exchange_keys`` at ``enclave init``)."""
        if self._keys is None:
            self._keys = load_party_keys(self.keys_dir, LINKAGE_UNIT)
        return self._keys

    def trusted_signers(self) -> dict[str, Ed25519PublicKey]:
        """Signing keys of the agencies registered with the linkage unit."""
        signers: dict[str, Ed25519PublicKey] = {}
        for path in sorted(self.parties_dir.glob("*.signing.pub.pem")):
            signers[path.name.removesuffix(".signing.pub.pem")] = load_signing_public_key(path)
        return signers

    def retired_signers(self, agency_code: str) -> list[object]:
        """The agency's retired (rotated, not revoked) signing keys, newest file name order."""
        folder = self.parties_dir / "retired"
        return [load_signing_public_key(path) for path in sorted(folder.glob(f"{agency_code}.*.signing.pub.pem"))]

    def _open_stored(
        self, path: str, package_id: str, agency_code: str, signers: dict[str, object]
    ) -> OpenedPackage:
        # A package verified on receipt may have been signed with a key the agency
        # has since rotated out in the ordinary way; revoked keys are gone from
        # both folders, so what they signed is never opened again.
        data = Path(path).read_bytes()
        try:
            return open_package(data, self.keys.sealing, signers, source=package_id)  # type: ignore[arg-type]
        except (BadSignatureError, UnknownSignerError):
            for key in self.retired_signers(agency_code):
                with contextlib.suppress(BadSignatureError):
                    return open_package(data, self.keys.sealing, {agency_code: key},  # type: ignore[dict-item]
                                        source=package_id)
            raise

    # -- sessions -------------------------------------------------------------
    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session on the linkage unit's own tables."""
        with self.db.session() as session:
            yield session

    def close(self) -> None:
        """Release connections."""
        self.db.dispose()

    def _project_dir(self, project_ref: int) -> Path:
        return self.root / "store" / f"project-{int(project_ref)}"

    # -- work -------------------------------------------------------------------
    def receive(self, data: bytes, *, agency_code: str, project_ref: int, actor: str) -> ReceivedMatchKeys:
        """Verify and keep a match-key package (sealed to the linkage unit).

        The package stays sealed at rest; it is opened again only to link. This
        very package arriving again (same id, SHA-256, agency and project: an
        agency's retry after a lost answer) is answered with the original record,
        stores nothing and is audited as a duplicate.

        Raises:
            InputError: Not a valid match-key package for this project and agency.
            Conflict: A different package with an id received before (a replay).
        """
        digest = hashlib.sha256(data).hexdigest()
        refusal = {"actor": actor, "action": "linkage_unit.receive", "object_type": "project",
                   "object_id": project_ref, "outcome": "denied"}
        try:
            with self.session() as session:
                again = self._repeat_of(session, data, digest, agency_code, project_ref, actor)
                if again is not None:
                    return again
                seen = set(session.scalars(select(MatchKeySubmission.package_id)))
                try:
                    opened = open_package(data, self.keys.sealing, self.trusted_signers(), seen,
                                          source="upload").expect("match_keys", "upload")
                except LinkageError as error:
                    replay = isinstance(error, ReplayedPackageError)
                    raise (Conflict if replay else InputError)(
                        str(error), audit={**refusal, "reason": type(error).__name__}) from None
                manifest = opened.manifest
                if manifest.agency != agency_code or str(manifest.project_id) != str(project_ref):
                    raise InputError(text("intake.misaddressed"), audit={**refusal, "reason": "misaddressed"})
                path = self._project_dir(project_ref) / f"{manifest.package_id}.pkg"
                row = MatchKeySubmission(
                    project_ref=project_ref, agency_code=agency_code, package_id=manifest.package_id,
                    path=str(path), sha256=digest, size=len(data),
                    row_count=manifest.row_count)
                session.add(row)
                # The row claims the package id before the file is written, so a racing
                # second arrival fails here and never overwrites what the first one stored.
                session.flush()
                atomic_write(path, data)
                self.audit.record(session, actor=actor, action="linkage_unit.receive", object_type="project",
                                  object_id=project_ref, agency=agency_code, rows=manifest.row_count,
                                  package_sha256=row.sha256)
                return ReceivedMatchKeys(row)
        except IntegrityError:
            # A retry raced the first attempt, which committed in between: answer as for any repeat.
            with self.session() as session:
                again = self._repeat_of(session, data, digest, agency_code, project_ref, actor)
                if again is not None:
                    return again
            raise Conflict(text("intake.replayed"), audit={**refusal, "reason": "ReplayedPackageError"}) from None

    def _repeat_of(self, session: Session, data: bytes, digest: str, agency_code: str, project_ref: int,
                   actor: str) -> ReceivedMatchKeys | None:
        """The original record if this very package is held already (audited as a duplicate)."""
        try:
            package_id = read_manifest(data, source="upload").package_id
        except LinkageError:
            return None  # open_package refuses it with the precise reason
        held = session.scalar(select(MatchKeySubmission).where(MatchKeySubmission.package_id == package_id))
        if held is None or (held.sha256, held.agency_code, held.project_ref) != (digest, agency_code, project_ref):
            return None
        self.audit.record(session, actor=actor, action="linkage_unit.receive", object_type="project",
                          object_id=project_ref, outcome="duplicate", agency=agency_code,
                          rows=held.row_count, package_sha256=digest)
        return ReceivedMatchKeys(held, duplicate=True)

    def agencies_received(self, project_ref: int) -> list[str]:
        """Agencies whose match keys for ``project_ref`` have arrived."""
        with self.session() as session:
            return sorted(set(session.scalars(
                select(MatchKeySubmission.agency_code).where(MatchKeySubmission.project_ref == project_ref))))

    def run_linkage(self, project_ref: int, enclave_sealing_public: object, *, actor: str,
                    on_pass: Callable[[int, int], None] | None = None) -> tuple[LinkageRun, bytes]:
        """Link every agency's match keys for ``project_ref`` and seal the map to the enclave.

        The packages are listed in one transaction and the run recorded in
        another; linking runs between them, so a long linkage holds no lock
        on the database (on SQLite, one writer at a time).

        Args:
            project_ref: The project's number.
            enclave_sealing_public: The enclave's sealing public key.
            actor: Who asked, for the audit log.
            on_pass: Called with (pass index, number of passes) as each pass begins.

        Returns:
            The run's record (with its quality report) and the sealed linkage map.

        Raises:
            NotFound: Fewer than two agencies have submitted.
        """
        from linkage import LinkageMap, link_submissions

        with self.session() as session:
            rows = [(r.path, r.package_id, r.agency_code) for r in session.scalars(
                select(MatchKeySubmission).where(MatchKeySubmission.project_ref == project_ref)
                .order_by(MatchKeySubmission.id))]
        if len({agency for _, _, agency in rows}) < 2:
            raise NotFound(text("linkage_unit.too_few"))
        signers = self.trusted_signers()
        opened = [self._open_stored(path, package_id, agency, signers) for path, package_id, agency in rows]
        linkage_map, quality = link_submissions(opened, on_pass=on_pass)
        quality_json = json.dumps(quality.to_dict(), ensure_ascii=False)
        # The aggregate quality report travels inside the signed, sealed map, so
        # the enclave's copy is the one the linkage unit signed.
        carried = LinkageMap(
            table=linkage_map.table.replace_schema_metadata({QUALITY_METADATA_KEY: quality_json.encode("utf-8")}),
            project_id=linkage_map.project_id, scheme_hash=linkage_map.scheme_hash)
        sealed = carried.seal(enclave_sealing_public, self.keys.signing)  # type: ignore[arg-type]
        with self.session() as session:
            run = LinkageRun(project_ref=project_ref, quality=quality_json,
                             map_path="", map_sha256=hashlib.sha256(sealed).hexdigest())
            session.add(run)
            session.flush()
            map_path = self._project_dir(project_ref) / f"linkage-map-{run.id}.pkg"
            atomic_write(map_path, sealed)
            run.map_path = str(map_path)
            self.audit.record(session, actor=actor, action="linkage_unit.link", object_type="project",
                              object_id=project_ref, run=run.id, agencies=len(opened),
                              linked_records=linkage_map.linked_records)
            return run, sealed

    def remove_orphans(self, project_ref: int) -> int:
        """Delete linkage-map files of ``project_ref`` that no recorded run names; returns how many.

        A linkage killed between writing its map and committing its run
        leaves such a file (and perhaps an atomic writer's temporary file);
        nothing refers to it, and the next run starts without it.
        """
        folder = self._project_dir(project_ref)
        if not folder.is_dir():
            return 0
        with self.session() as session:
            known = {Path(p).name for p in session.scalars(
                select(LinkageRun.map_path).where(LinkageRun.project_ref == project_ref))}
        removed = 0
        for path in sorted(folder.iterdir()):
            stray = path.name.startswith(".") and path.name.endswith(".tmp")
            if stray or (path.name.startswith("linkage-map-") and path.name not in known):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def latest_quality(self, project_ref: int) -> dict[str, object] | None:
        """The quality report of the newest linkage run for ``project_ref``."""
        with self.session() as session:
            run = session.scalar(select(LinkageRun).where(LinkageRun.project_ref == project_ref)
                                 .order_by(LinkageRun.id.desc()).limit(1))
            return None if run is None else json.loads(run.quality)

    def destroy(self, project_ref: int, *, actor: str) -> int:
        """Delete everything the linkage unit holds of ``project_ref``; returns files removed."""
        folder = self._project_dir(project_ref)
        removed = len(list(folder.glob("*"))) if folder.exists() else 0
        with self.session() as session:
            for model in (MatchKeySubmission, LinkageRun):
                for row in session.scalars(select(model).where(model.project_ref == project_ref)):
                    session.delete(row)
            self.audit.record(session, actor=actor, action="linkage_unit.destroy", object_type="project",
                              object_id=project_ref, files=removed)
        shutil.rmtree(folder, ignore_errors=True)
        return removed
