"""Destroying a project when its purpose is met (stage 6-2, 목적 달성 후 파기).

Destruction is crypto-erasure first: the project's data key and pseudonym key
are shredded, which makes every object stored under them unreadable at once,
wherever copies may linger. Then the objects, workspaces and release copies
are deleted, the linkage unit deletes its match keys and linkage maps, and the
enclave signs a destruction certificate with its Ed25519 key.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from enclave.db.models import DestructionCertificate, Project, ProjectState, Role, User, utcnow
from enclave.errors import Conflict, NotFound, PermissionDenied
from enclave.hub.workspace import remove_project_workspaces
from enclave.keys import project_key_id
from enclave.linkage_unit import LinkageUnitRole
from enclave.messages import text
from enclave.projects.access import is_member
from enclave.projects.lifecycle import project_state_conflict
from enclave.service import EnclaveService
from enclave.store import atomic_write

__all__ = ["certificate_path", "destroy_project", "verify_destruction_certificate"]


def certificate_path(svc: EnclaveService, project_id: int) -> Path:
    """Where the certificate of ``project_id`` is written as JSON."""
    return svc.settings.data_dir / "certificates" / f"project-{project_id}-destruction.json"


def destroy_project(svc: EnclaveService, linkage_unit: LinkageUnitRole | None, project_id: int,
                    actor: User) -> DestructionCertificate:
    """Destroy a closing or declined project, or one past its retention end.

    Args:
        svc: The open enclave.
        linkage_unit: The in-process linkage unit role, which deletes its own part; ``None`` when a
            separate linkage unit holds it (its operator destroys it there, and the certificate
            says ``null`` for the files it deleted here).
        project_id: The project.
        actor: A steward who is not on the project, or an admin.

    Returns:
        The signed certificate.

    Raises:
        PermissionDenied: The actor may not destroy it.
        Conflict: Already destroyed, or still in use before its retention end.
    """
    with svc.session() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(text("projects.not_found"))
        if actor.role not in (Role.steward, Role.admin) or is_member(actor, project):
            raise PermissionDenied(text("projects.conflict_of_interest"))
        if project.state is ProjectState.destroyed:
            raise Conflict(text("projects.destroyed", project_id=project_id,
                                when=project.destroyed_at.date() if project.destroyed_at else "?"))
        due = project.retention_end <= dt.date.today()
        if project.state not in (ProjectState.closing, ProjectState.declined) and not due:
            raise project_state_conflict(project)
        application_hash = project.application_hash

    lu_files = None if linkage_unit is None else linkage_unit.destroy(project_id, actor=actor.username)
    with svc.session() as session:
        project = session.get(Project, project_id)
        assert project is not None
        shredded = [project_key_id(project_id, "data"), project_key_id(project_id, "pseudonym")]
        for key_id in shredded:
            svc.keyring.shred(session, key_id)
        objects = svc.store.delete_prefix(f"projects/{project_id}")
        release_dir = svc.settings.releases_dir / f"project-{project_id}"
        release_files = len(list(release_dir.glob("*.zip"))) if release_dir.exists() else 0
        shutil.rmtree(release_dir, ignore_errors=True)
        workspaces = remove_project_workspaces(svc.settings, project_id)
        now = utcnow()
        body = {
            "certificate": "enclave-destruction/1",
            "project": project_id,
            "application_hash": application_hash,
            "destroyed_at": now.isoformat(),
            "destroyed_by": actor.username,
            "keys_shredded": shredded,
            "objects_deleted": objects,
            "release_copies_deleted": release_files,
            "workspaces_deleted": workspaces,
            "linkage_unit_files_deleted": lu_files,
        }
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
        signature = base64.b64encode(svc.keys.signing_key.sign(canonical)).decode("ascii")
        certificate = DestructionCertificate(project_id=project_id, body=canonical.decode("utf-8"),
                                             signature=signature, at=now)
        session.add(certificate)
        before = project.state
        project.state = ProjectState.destroyed
        project.destroyed_at = now
        session.flush()
        atomic_write(certificate_path(svc, project_id),
                     json.dumps({"body": body, "signature": signature}, indent=1).encode("utf-8"), mode=0o644)
        svc.audit.record(session, actor=actor.username, action="project.destroy", object_type="project",
                         object_id=project_id, before=before.value, objects=objects, keys=len(shredded),
                         linkage_unit_files=lu_files)
        return certificate


def verify_destruction_certificate(body: str, signature: str, public_key: Ed25519PublicKey) -> bool:
    """Check a certificate's signature with the enclave's public signing key."""
    try:
        public_key.verify(base64.b64decode(signature), body.encode("utf-8"))
    except (InvalidSignature, ValueError):
        return False
    return True
