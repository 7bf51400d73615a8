"""Removing what an unfinished stage-4 run left: files that no row makes a result.

Stage 4 writes an encrypted object (or a report) and commits the row that
refers to it in one transaction; the file is written just before the commit.
A worker killed between the two leaves a file no row names. Readers only
ever reach objects and reports through their rows, so such a file is never
mistaken for a result, and :func:`remove_leftovers` deletes it before the
next attempt. It runs only inside a stage-4 job, when no other stage-4 work
of the project can be under way (one queued-or-running job per project).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from enclave.combination.datasets import reports_dir
from enclave.db.models import LinkedDataset, RiskReview, SyntheticReplica
from enclave.service import EnclaveService

__all__ = ["remove_leftovers"]

_REPORT = re.compile(r"^risk-report-(\d+)\.(html|json)$")


def _is_temporary(path: Path) -> bool:
    # The atomic writer's temporary files: ".<name>.<random>.tmp".
    return path.name.startswith(".") and path.name.endswith(".tmp")


def remove_leftovers(svc: EnclaveService, project_id: int) -> int:
    """Delete the project's objects and reports that no row refers to; returns how many.

    Covers combined and processed datasets, synthetic replicas, risk reports
    and interrupted atomic writes. The linkage map is one object replaced
    atomically, complete either way, and is left alone.
    """
    with svc.session() as session:
        objects = set(session.scalars(select(LinkedDataset.object_id).where(LinkedDataset.project_id == project_id)))
        objects |= set(session.scalars(select(SyntheticReplica.object_id)
                                       .where(SyntheticReplica.project_id == project_id)))
        reviewed = {str(d) for d in session.scalars(select(RiskReview.dataset_id)
                                                    .where(RiskReview.project_id == project_id))}
    removed = 0
    root = svc.store.root
    for folder in ("linked", "replicas"):
        where = root / "projects" / str(project_id) / folder
        if not where.is_dir():
            continue
        for path in sorted(where.iterdir()):
            object_id = path.relative_to(root).as_posix().removesuffix(".enc")
            if _is_temporary(path) or (path.suffix == ".enc" and object_id not in objects):
                path.unlink(missing_ok=True)
                removed += 1
    project_root = root / "projects" / str(project_id)
    if project_root.is_dir():
        for path in sorted(project_root.iterdir()):
            if path.is_file() and _is_temporary(path):
                path.unlink(missing_ok=True)
                removed += 1
    reports = reports_dir(svc, project_id)
    if reports.is_dir():
        for path in sorted(reports.iterdir()):
            match = _REPORT.match(path.name)
            if _is_temporary(path) or (match is not None and match.group(1) not in reviewed):
                path.unlink(missing_ok=True)
                removed += 1
    return removed
