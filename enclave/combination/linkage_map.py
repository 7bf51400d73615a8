"""Linkage-map delivery (stage 4-4): the linkage unit links, the enclave receives the sealed map.

The linkage unit links the project's match keys pass by pass and seals the
linkage map ``(agency, serial) -> link id`` to the enclave, with its
aggregate quality report inside the signed package. The enclave's half is one
function, :func:`receive_linkage_map`, whether the map comes from the role in
this process (:func:`deliver_linkage_map`) or from a separate linkage unit
over ``PUT /api/v1/projects/<id>/linkage-map``: it checks the project waits
for a map, opens the package with the enclave's sealing key, accepts only the
linkage unit's signature and never the same package twice, keeps the map
encrypted under the project's data key, writes the quality report, and
audits what it did or refused.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import select

from enclave.combination.datasets import load_project
from enclave.combination.reports import linkage_quality_path
from enclave.db.models import LinkageMapReceipt, Project, ProjectFlow, ProjectState, Role, User
from enclave.errors import Conflict, InputError, NotFound, PermissionDenied
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.linkage_unit import LINKAGE_UNIT, QUALITY_METADATA_KEY, LinkageUnitRole
from enclave.messages import text
from enclave.parties import enclave_trusted_signers
from enclave.service import EnclaveService
from enclave.store import atomic_write
from linkage.errors import LinkageError, ReplayedPackageError
from linkage.quality import QualityReport
from linkage.sealing import OpenedPackage, open_package

__all__ = ["ReceivedLinkageMap", "check_linkage_unit_account", "deliver_linkage_map", "receive_linkage_map"]


@dataclass(frozen=True)
class ReceivedLinkageMap:
    """What the enclave kept of a linkage map: counts and hashes, never its rows."""

    project_id: int
    package_id: str
    row_count: int
    sha256: str
    quality: dict[str, Any]


def check_linkage_unit_account(svc: EnclaveService, user: User, project_id: int) -> None:
    """Refuse a caller that is not the separate linkage unit's account.

    Raises:
        PermissionDenied: Another role, or the linkage unit runs in-process here.
    """
    refusal = {"actor": user.username, "action": "combination.receive_map", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    if user.role is not Role.linkage_unit:
        raise PermissionDenied(text("linkage_map.not_linkage_unit"), audit={**refusal, "reason": "role"})
    if not svc.settings.has_separate_linkage_unit:
        raise PermissionDenied(text("linkage_map.embedded"), audit={**refusal, "reason": "embedded"})


def _quality_of(opened: OpenedPackage, refusal: dict[str, object]) -> dict[str, Any]:
    metadata = pq.read_schema(io.BytesIO(opened.payload)).metadata or {}
    try:
        quality = json.loads(metadata[QUALITY_METADATA_KEY].decode("utf-8"))
        # A report that does not rebuild would fail later, on the steward's page; refuse it here.
        QualityReport.from_dict(quality).to_dict()
    except (KeyError, ValueError, TypeError, AttributeError):
        raise InputError(text("linkage_map.no_quality"), audit={**refusal, "reason": "no_quality"}) from None
    return dict(quality)


def receive_linkage_map(svc: EnclaveService, data: bytes, *, project_id: int, actor: str) -> ReceivedLinkageMap:
    """Receive a sealed linkage map for ``project_id``: the enclave's half of stage 4-4.

    Args:
        svc: The open enclave.
        data: The sealed ``linkage_map`` package.
        project_id: The project the map is said to be for.
        actor: Who delivered it, for the audit log.

    Returns:
        What was kept.

    Raises:
        NotFound: The enclave has no such project.
        Conflict: The project is not approved and waiting for data, asks for one dataset only (nothing
            to link), or the map arrived before (a replay).
        InputError: Not a linkage map signed by the linkage unit and sealed to this enclave, or one
            made for another project.
    """
    digest = hashlib.sha256(data).hexdigest()
    refusal = {"actor": actor, "action": "combination.receive_map", "object_type": "project",
               "object_id": project_id, "outcome": "denied"}
    lu_signer = {k: v for k, v in enclave_trusted_signers(svc.settings).items() if k == LINKAGE_UNIT}
    with svc.session() as session:
        project = session.get(Project, project_id)
        if project is None:
            raise NotFound(text("linkage_map.unknown_project"), audit={**refusal, "reason": "unknown_project"})
        if project.state is not ProjectState.approved:
            raise Conflict(text("projects.wrong_state", state=project.state.value),
                           audit={**refusal, "reason": "state"})
        if project.flow is ProjectFlow.provision:
            # A project asking for one dataset is provided, never linked: no map belongs to it.
            raise Conflict(text("combination.single_dataset", project_id=project_id),
                           audit={**refusal, "reason": "single_dataset"})
        seen = set(session.scalars(select(LinkageMapReceipt.package_id)))
        try:
            opened = open_package(data, svc.keys.sealing_key, lu_signer, seen,
                                  source="linkage map").expect("linkage_map", "linkage map")
        except LinkageError as error:
            cls = Conflict if isinstance(error, ReplayedPackageError) else InputError
            raise cls(str(error), audit={**refusal, "reason": type(error).__name__}) from None
        if str(opened.manifest.project_id) != str(project_id):
            raise InputError(text("linkage_map.misaddressed"), audit={**refusal, "reason": "misaddressed"})
        quality = _quality_of(opened, refusal)
        svc.put_object(session, f"projects/{project_id}/linkage-map", opened.payload, project_key_id(project_id))
        session.add(LinkageMapReceipt(project_id=project_id, package_id=opened.manifest.package_id, sha256=digest,
                                      row_count=opened.manifest.row_count, received_by=actor))
        svc.audit.record(session, actor=actor, action="combination.receive_map", object_type="project",
                         object_id=project_id, rows=opened.manifest.row_count, package_sha256=digest)
    atomic_write(linkage_quality_path(svc, project_id, "json"),
                 json.dumps(quality, indent=1, ensure_ascii=False).encode(), mode=0o640)
    atomic_write(linkage_quality_path(svc, project_id, "html"),
                 QualityReport.from_dict(quality).to_html().encode("utf-8"), mode=0o640)
    return ReceivedLinkageMap(project_id, opened.manifest.package_id, opened.manifest.row_count, digest, quality)


def deliver_linkage_map(svc: EnclaveService, linkage_unit: LinkageUnitRole, project_id: int, actor: str,
                        progress: Progress = no_progress) -> dict[str, Any]:
    """Have the in-process linkage unit link the project's match keys; the enclave receives the sealed map.

    The map is one encrypted object, replaced atomically: a run killed at any
    point leaves the previous map or the new one, each complete and verified.

    Args:
        svc: The open enclave.
        linkage_unit: The linkage unit role.
        project_id: The project.
        actor: Who asked, for the audit log.
        progress: Told ``linking`` per pass, then ``receiving_map``.

    Returns:
        The linkage quality report (aggregate counts only).

    Raises:
        Conflict: The project is not approved and waiting for data.
    """
    with svc.session() as session:
        project = load_project(session, project_id)
        state, flow = project.state, project.flow
    if state is not ProjectState.approved:
        raise Conflict(text("projects.wrong_state", state=state.value))
    if flow is ProjectFlow.provision:
        raise Conflict(text("combination.single_dataset", project_id=project_id))
    progress("linking", 5)
    _run, sealed = linkage_unit.run_linkage(project_id, svc.keys.sealing_public_key, actor=actor,
                                            on_pass=lambda done, total: progress("linking", 5 + 75 * done // total))
    progress("receiving_map", 85)
    return receive_linkage_map(svc, sealed, project_id=project_id, actor=actor).quality
