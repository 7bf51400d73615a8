"""A researcher's workspace: one folder per project and user, provisioned at spawn.

Layout of ``<data_dir>/workspaces/<project>/<user>/``::

    data/            the project's linked, pseudonymized dataset as Parquet (0555, files 0444)
    outputs/         where export_review writes outputs and their evidence
    *.ipynb          the notebooks researchers start from (copied once, then theirs)

The decrypted dataset exists only while the server runs: it is written at
spawn and removed at stop. Nothing else of the enclave is put here: no key,
no key-file path, no database URL (``tests/enclave/hub`` scans for them).
"""

from __future__ import annotations

import io
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from enclave.service import EnclaveService
from enclave.settings import Settings
from enclave.store import atomic_write

__all__ = [
    "DATA_FILE_NAME",
    "ProvisionedWorkspace",
    "clear_workspace_data",
    "provision_workspace",
    "remove_project_workspaces",
    "workspace_environment",
    "workspace_root",
]

#: The Parquet file researchers read: ``pd.read_parquet("data/linked.parquet")``.
DATA_FILE_NAME = "linked.parquet"


@dataclass(frozen=True)
class ProvisionedWorkspace:
    """What :func:`provision_workspace` made.

    Attributes:
        project_id: The project.
        username: The researcher.
        root: The workspace folder (the notebook server's root).
        data_file: The read-only Parquet file.
        row_count: Rows provisioned (audited; values never are).
        columns: Column names provisioned.
    """

    project_id: int
    username: str
    root: Path
    data_file: Path
    row_count: int
    columns: tuple[str, ...]

    @property
    def outputs_dir(self) -> Path:
        """Where export_review writes outputs (``ENCLAVE_OUTPUTS_DIR``)."""
        return self.root / "outputs"


def workspace_root(settings: Settings, project_id: int, username: str) -> Path:
    """Return ``<data_dir>/workspaces/<project>/<user>``: one folder per project and user."""
    return settings.data_dir / "workspaces" / str(int(project_id)) / username


def workspace_environment(settings: Settings, project_id: int, api_token: str, root: Path) -> dict[str, str]:
    """The ``ENCLAVE_*`` variables a workspace's kernels get: what ``export_review`` needs, nothing else.

    Args:
        settings: The enclave's settings (for the service's public URL and the language).
        project_id: The workspace's project.
        api_token: A token scoped to ``project:<project_id>``.
        root: The workspace folder.

    Returns:
        ``ENCLAVE_API_URL``, ``ENCLAVE_API_TOKEN``, ``ENCLAVE_PROJECT_ID``,
        ``ENCLAVE_OUTPUTS_DIR`` and ``ENCLAVE_LANG``.
    """
    return {
        "ENCLAVE_API_URL": settings.public_url,
        "ENCLAVE_API_TOKEN": api_token,
        "ENCLAVE_PROJECT_ID": str(int(project_id)),
        "ENCLAVE_OUTPUTS_DIR": str(root / "outputs"),
        "ENCLAVE_LANG": settings.lang,
    }


def _copy_notebooks(source: Path, root: Path) -> None:
    if not source.is_dir():
        return
    for notebook in sorted(source.glob("*.ipynb")):
        target = root / notebook.name
        # A researcher's edited copy is their work: it is never overwritten.
        if not target.exists():
            shutil.copyfile(notebook, target)


def provision_workspace(svc: EnclaveService, session: Session, project_id: int, username: str) -> ProvisionedWorkspace:
    """Write the project's dataset, an outputs folder and the notebooks into the workspace.

    The approved, processed dataset (:func:`enclave.provisioning.read_project_dataset`)
    is decrypted into ``data/linked.parquet`` (written atomically,
    mode 0444, folder 0555); earlier copies are replaced. The audit event
    ``hub.provision`` names the project, the row count and the columns.

    Args:
        svc: The opened enclave.
        session: An open session (the audit event joins its transaction).
        project_id: The project whose data is provisioned.
        username: The researcher.

    Returns:
        What was provisioned.

    Raises:
        NotFound: The project has no approved dataset yet
            (from :func:`enclave.provisioning.read_project_dataset`).
    """
    # Imported here: project destruction imports this module, and provisioning imports projects.
    from enclave.provisioning import read_project_dataset

    frame = read_project_dataset(svc, session, project_id)
    root = workspace_root(svc.settings, project_id, username)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)
    (root / "outputs").mkdir(exist_ok=True)
    data_dir = root / "data"
    if data_dir.exists():
        os.chmod(data_dir, 0o755)
    data_dir.mkdir(exist_ok=True)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    data_file = data_dir / DATA_FILE_NAME
    # Read-only for the researcher; the atomic write means a kernel never sees half a file.
    atomic_write(data_file, buffer.getvalue(), mode=0o444)
    os.chmod(data_dir, 0o555)
    _copy_notebooks(svc.settings.notebooks_dir, root)
    columns = tuple(str(c) for c in frame.columns)
    svc.audit.record(session, actor=username, action="hub.provision", object_type="project",
                     object_id=project_id, rows=len(frame), columns=list(columns))
    return ProvisionedWorkspace(project_id=project_id, username=username, root=root, data_file=data_file,
                                row_count=len(frame), columns=columns)


def _remove_tree(path: Path) -> None:
    # Read-only folders (data/ is 0555) cannot be emptied by a non-root owner until made writable.
    def make_writable_and_retry(function, target, _exc):  # type: ignore[no-untyped-def]
        os.chmod(os.path.dirname(target), stat.S_IRWXU)
        os.chmod(target, stat.S_IRWXU)
        function(target)

    shutil.rmtree(path, onerror=make_writable_and_retry)


def clear_workspace_data(root: Path) -> bool:
    """Remove the decrypted dataset from a workspace (at server stop); keep outputs and notebooks.

    Returns:
        Whether there was a dataset to remove.
    """
    data_dir = root / "data"
    if not data_dir.exists():
        return False
    os.chmod(data_dir, 0o700)
    _remove_tree(data_dir)
    return True


def remove_project_workspaces(settings: Settings, project_id: int) -> int:
    """Remove every workspace of a project (for its destruction).

    Returns:
        How many researchers' workspaces were removed.
    """
    folder = settings.data_dir / "workspaces" / str(int(project_id))
    if not folder.exists():
        return 0
    count = sum(1 for child in folder.iterdir() if child.is_dir())
    _remove_tree(folder)
    return count
