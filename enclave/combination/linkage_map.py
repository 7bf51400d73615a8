"""Linkage-map delivery (stage 4-4): the linkage unit links, the enclave receives the sealed map.

The linkage unit links the project's match keys pass by pass and seals the
linkage map ``(agency, serial) -> link id`` to the enclave. The enclave opens
it with its own sealing key, checks the linkage unit's signature, and keeps
it encrypted under the project's data key. The quality report holds
aggregate counts only.
"""

from __future__ import annotations

import hashlib
import json

from enclave.combination.datasets import load_project, reports_dir
from enclave.db.models import ProjectFlow, ProjectState
from enclave.errors import Conflict
from enclave.jobs.progress import Progress, no_progress
from enclave.keys import project_key_id
from enclave.linkage_unit import LinkageUnitRole
from enclave.messages import text
from enclave.parties import enclave_trusted_signers
from enclave.service import EnclaveService
from enclave.store import atomic_write
from linkage.quality import QualityReport
from linkage.sealing import open_package

__all__ = ["deliver_linkage_map"]


def deliver_linkage_map(svc: EnclaveService, linkage_unit: LinkageUnitRole, project_id: int, actor: str,
                        progress: Progress = no_progress) -> dict:
    """Have the linkage unit link the project's match keys; the enclave receives the sealed map.

    The map is one encrypted object, replaced atomically: a run killed at any
    point leaves the previous map or the new one, each complete and verified.

    Args:
        svc: The open enclave.
        linkage_unit: The linkage unit role.
        project_id: The project.
        actor: Who asked, for the audit log.
        progress: Told ``linking`` per pass, then ``receiving_map`` and ``writing_reports``.

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
    run, sealed = linkage_unit.run_linkage(project_id, svc.keys.sealing_public_key, actor=actor,
                                           on_pass=lambda done, total: progress("linking", 5 + 75 * done // total))
    progress("receiving_map", 85)
    quality = json.loads(run.quality)
    opened = open_package(sealed, svc.keys.sealing_key, enclave_trusted_signers(svc.settings),
                          source="linkage map").expect("linkage_map", "linkage map")
    with svc.session() as session:
        svc.put_object(session, f"projects/{project_id}/linkage-map", opened.payload, project_key_id(project_id))
        svc.audit.record(session, actor=actor, action="combination.receive_map", object_type="project",
                         object_id=project_id, rows=opened.manifest.row_count,
                         package_sha256=hashlib.sha256(sealed).hexdigest())

    progress("writing_reports", 95)
    folder = reports_dir(svc, project_id)
    atomic_write(folder / "linkage-quality.json", json.dumps(quality, indent=1, ensure_ascii=False).encode(),
                 mode=0o640)
    atomic_write(folder / "linkage-quality.html", QualityReport.from_dict(quality).to_html().encode("utf-8"),
                 mode=0o640)
    return quality


