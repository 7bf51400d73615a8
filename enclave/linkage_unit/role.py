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
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.audit import AuditLog
from enclave.db import Database
from enclave.db.models import LinkageRun, MatchKeySubmission
from enclave.db.separation import guard_engine
from enclave.errors import NotFound
from enclave.messages import text
from enclave.receiving import HeldPackage, PackageReceiver
from enclave.store import atomic_write
from linkage.errors import BadSignatureError, UnknownSignerError
from linkage.party_keys import PartyKeys, load_party_keys, load_signing_public_key
from linkage.sealing import OpenedPackage, open_package

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
        stores nothing and is audited as a duplicate (:class:`~enclave.receiving.PackageReceiver`).

        Raises:
            InputError: Not a valid match-key package for this project and agency.
            Conflict: A different package with an id received before (a replay).
        """
        return _MatchKeyReceiver(self).receive(data, agency_code=agency_code, project=project_ref, actor=actor)

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


class _MatchKeyReceiver(PackageReceiver[ReceivedMatchKeys]):
    """The linkage unit's receiver: match keys, kept sealed in its own store."""

    kind = "match_keys"
    action = "linkage_unit.receive"

    def __init__(self, role: LinkageUnitRole) -> None:
        self.role = role

    def transaction(self) -> contextlib.AbstractContextManager[Session]:
        """A transaction on the linkage unit's own tables."""
        return self.role.session()

    @property
    def audit_log(self) -> AuditLog:
        """The linkage unit's audit log."""
        return self.role.audit

    def sealing_key(self) -> Any:
        """The linkage unit's sealing key."""
        return self.role.keys.sealing

    def trusted_signers(self) -> Mapping[str, Any]:
        """The agencies the linkage unit trusts."""
        return self.role.trusted_signers()

    def held(self, session: Session, package_id: str) -> HeldPackage | None:
        """The match-key submission under ``package_id``."""
        row = session.scalar(select(MatchKeySubmission).where(MatchKeySubmission.package_id == package_id))
        return None if row is None else HeldPackage(sha256=row.sha256, agency_code=row.agency_code,
                                                    project=row.project_ref, row_count=row.row_count, record=row)

    def seen_ids(self, session: Session) -> set[str]:
        """Every match-key package id the linkage unit received."""
        return set(session.scalars(select(MatchKeySubmission.package_id)))

    def keep(self, session: Session, opened: OpenedPackage, data: bytes, digest: str, *, agency_code: str,
             project: int, actor: str) -> MatchKeySubmission:
        """Record the submission, then keep the package, still sealed, in the linkage unit's store."""
        path = self.role._project_dir(project) / f"{opened.manifest.package_id}.pkg"
        row = MatchKeySubmission(project_ref=project, agency_code=agency_code, package_id=opened.manifest.package_id,
                                 path=str(path), sha256=digest, size=len(data), row_count=opened.manifest.row_count)
        session.add(row)
        session.flush()
        atomic_write(path, data)
        return row

    def receipt(self, record: MatchKeySubmission, digest: str, *, duplicate: bool) -> ReceivedMatchKeys:
        """What the linkage unit recorded."""
        return ReceivedMatchKeys(record, duplicate=duplicate)
