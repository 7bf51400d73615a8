"""Storage of a project's datasets: every version of its linked data, encrypted.

A project's combined, processed and approved tables are Parquet objects in the
encrypted store under the project's data key, each recorded as a
:class:`LinkedDataset`. Reading the approved version is the one way data
reaches the analysis room, and every read is audited.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import LinkedDataset, Project, ReviewState, RiskReview
from enclave.errors import NotFound
from enclave.keys import project_key_id
from enclave.messages import text
from enclave.service import EnclaveService

__all__ = [
    "DEFAULT_POLICY",
    "approved_datasets",
    "current_approved_dataset",
    "latest_dataset",
    "load_project",
    "policy_path",
    "read_parquet",
    "read_dataset_version",
    "read_project_dataset",
    "reports_dir",
    "store_dataset",
    "to_parquet",
]

#: The pseudonymization policy used when a project has none of its own.
DEFAULT_POLICY = "linked-project.yaml"


def to_parquet(table: pa.Table | pd.DataFrame) -> bytes:
    """Serialize a table as zstd-compressed Parquet bytes."""
    if isinstance(table, pd.DataFrame):
        table = pa.Table.from_pandas(table, preserve_index=False)
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def read_parquet(data: bytes) -> pa.Table:
    """Read Parquet bytes into an Arrow table."""
    return pq.read_table(io.BytesIO(data))


def load_project(session: Session, project_id: int) -> Project:
    """The project, or :class:`NotFound`."""
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound(text("projects.not_found"))
    return project


def reports_dir(svc: EnclaveService, project_id: int) -> Path:
    """Folder of the project's risk and linkage-quality reports."""
    return svc.settings.reports_dir / f"project-{project_id}"



def store_dataset(svc: EnclaveService, session: Session, project_id: int, stage: str,
                  table: pa.Table | pd.DataFrame, actor: str, policy_hash: str) -> LinkedDataset:
    """Encrypt ``table`` under the project's data key and record it as a dataset version ``stage``."""
    data = to_parquet(table)
    columns = list(table.column_names if isinstance(table, pa.Table) else table.columns)
    count = table.num_rows if isinstance(table, pa.Table) else len(table)
    dataset = LinkedDataset(project_id=project_id, stage=stage, object_id="", row_count=count,
                            columns=json.dumps([str(c) for c in columns]), policy_hash=policy_hash,
                            created_by=actor)
    session.add(dataset)
    session.flush()
    dataset.object_id = f"projects/{project_id}/linked/{stage}-{dataset.id}"
    svc.put_object(session, dataset.object_id, data, project_key_id(project_id))
    return dataset


def latest_dataset(session: Session, project_id: int, stage: str) -> LinkedDataset | None:
    """The newest dataset version of ``stage`` (``combined``, ``processed`` …), if any."""
    return session.scalar(select(LinkedDataset).where(LinkedDataset.project_id == project_id,
                                                      LinkedDataset.stage == stage)
                          .order_by(LinkedDataset.id.desc()).limit(1))


def policy_path(svc: EnclaveService, project_id: int) -> Path:
    """The project's own pseudonymization policy, or the default one."""
    folder = svc.settings.policies_dir / "pseudonymization"
    own = folder / f"project-{project_id}.yaml"
    return own if own.exists() else folder / DEFAULT_POLICY



def approved_datasets(session: Session, project_id: int) -> list[LinkedDataset]:
    """Every dataset version of the project a risk review approved, newest first."""
    ids = session.scalars(select(RiskReview.dataset_id).where(RiskReview.project_id == project_id,
                                                             RiskReview.state == ReviewState.approved))
    found = [session.get(LinkedDataset, i) for i in dict.fromkeys(ids)]
    return sorted((d for d in found if d is not None and d.project_id == project_id),
                  key=lambda d: d.id, reverse=True)


def read_dataset_version(svc: EnclaveService, session: Session, dataset: LinkedDataset, *,
                         purpose: str) -> pd.DataFrame:
    """Decrypt one stored dataset version and audit the read with its purpose."""
    frame = read_parquet(svc.get_object(session, dataset.object_id,
                                        project_key_id(dataset.project_id))).to_pandas()
    svc.audit.record(session, actor="system", action="data.read", object_type="project",
                     object_id=dataset.project_id, dataset=dataset.id, rows=len(frame), purpose=purpose)
    return frame


def current_approved_dataset(session: Session, project_id: int) -> LinkedDataset:
    """The dataset version of the project's latest approved risk review: what researchers get.

    Raises:
        NotFound: No approved dataset (or the project is gone).
    """
    review = session.scalar(select(RiskReview).where(RiskReview.project_id == project_id,
                                                     RiskReview.state == ReviewState.approved)
                            .order_by(RiskReview.id.desc()).limit(1))
    if review is None:
        raise NotFound(text("provisioning.no_approved"))
    dataset = session.get(LinkedDataset, review.dataset_id)
    assert dataset is not None
    return dataset


def read_project_dataset(svc: EnclaveService, session: Session, project_id: int) -> pd.DataFrame:
    """The approved, processed dataset of a project: what its researchers may use.

    Raises:
        NotFound: No approved dataset (or the project is gone).
    """
    dataset = current_approved_dataset(session, project_id)
    frame = read_parquet(svc.get_object(session, dataset.object_id, project_key_id(project_id))).to_pandas()
    svc.audit.record(session, actor="system", action="data.read", object_type="project", object_id=project_id,
                     dataset=dataset.id, rows=len(frame))
    return frame
