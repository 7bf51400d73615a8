"""A researcher's workspace: one folder per project and user, provisioned at spawn.

Layout of ``<workspaces_dir>/<project>/<user>/`` (``ENCLAVE_WORKSPACES_DIR``,
outside the data folder)::

    data/            the project's linked, pseudonymized dataset as Parquet
    outputs/         where export_review writes outputs and their evidence
    .tmp/            the kernels' TMPDIR, so nothing they write lands in the shared /tmp

and, with a workspace account, ``/run/enclave-room/<uid>/`` (the account's,
0700) as ``JUPYTER_RUNTIME_DIR``: kernels talk to their server over Unix
sockets there, whose paths must be short.
    *.ipynb          the notebooks researchers start from (copied once, then theirs)

With workspace accounts (:mod:`enclave.hub.accounts`) the workspace folder
and everything in it belong to the workspace's account, mode 0700, except
``data/``: root's, with the account's group, folder 0550 and file 0440, so
the researcher reads the dataset and can change nothing in it. The folders
above (``<workspaces_dir>`` and ``<project>``) are root's, mode 0711: passable,
not listable. Without accounts everything is the hub user's and ``data/`` is
0555/0444.

Provisioning runs as root inside folders a researcher's kernel could have
changed, so it never follows a link there: a ``data`` or ``outputs`` that is a
link or a file is removed and made anew, and files are created with
``O_NOFOLLOW``/``O_EXCL``.

The decrypted dataset exists only while the server runs: it is written at
spawn and removed at stop. Nothing else of the enclave is put here: no key,
no key-file path, no database URL (``tests/enclave/hub`` scans for them).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from enclave.hub.accounts import PASSAGE_MODE, IsolationUnavailable, WorkspaceAccount
from enclave.hub.messages import text
from enclave.service import EnclaveService
from enclave.settings import Settings
from enclave.store import atomic_write

__all__ = [
    "DATA_FILE_NAME",
    "clear_kernel_runtime",
    "kernel_runtime_dir",
    "prepare_workspace_folders",
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
        account: The account the workspace's server runs as (None: the hub's own).
    """

    project_id: int
    username: str
    root: Path
    data_file: Path
    row_count: int
    columns: tuple[str, ...]
    account: WorkspaceAccount | None = None

    @property
    def outputs_dir(self) -> Path:
        """Where export_review writes outputs (``ENCLAVE_OUTPUTS_DIR``)."""
        return self.root / "outputs"

    @property
    def temp_dir(self) -> Path:
        """The kernels' ``TMPDIR``."""
        return self.root / ".tmp"


def workspace_root(settings: Settings, project_id: int, username: str) -> Path:
    """Return ``<workspaces_dir>/<project>/<user>``: one folder per project and user."""
    return settings.workspaces_dir / str(int(project_id)) / username


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


def _owner(account: WorkspaceAccount | None) -> tuple[int, int] | None:
    return None if account is None else (account.uid, account.gid)


def _remove_entry(path: Path) -> bool:
    """Remove ``path`` whatever it is, never following a link; return whether something was there."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISDIR(info.st_mode):
        _remove_tree(path)
    else:
        os.unlink(path)
    return True


def _real_folder(path: Path, mode: int, owner: tuple[int, int] | None) -> None:
    """Make ``path`` a real folder (a link or file in its place is removed) with ``owner`` and ``mode``.

    The owner and mode are set through a descriptor opened with
    ``O_NOFOLLOW``: a link swapped in meanwhile makes this fail, never
    redirects it.
    """
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _reown(root: Path, owner: tuple[int, int]) -> None:
    """Give everything in ``root`` but ``data/`` to ``owner`` (links themselves, not their targets)."""
    for folder, subfolders, files in os.walk(root, followlinks=False):
        if Path(folder) == root and "data" in subfolders:
            subfolders.remove("data")
        for name in subfolders + files:
            os.lchown(os.path.join(folder, name), *owner)


def _copy_notebooks(source: Path, root: Path, owner: tuple[int, int] | None) -> None:
    if not source.is_dir():
        return
    for notebook in sorted(source.glob("*.ipynb")):
        content = notebook.read_bytes()
        # A researcher's edited copy is their work: it is never overwritten.
        # O_EXCL also refuses a link left in the notebook's place.
        try:
            fd = os.open(root / notebook.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:
            continue
        try:
            if owner is not None:
                os.fchown(fd, *owner)
            os.write(fd, content)
        finally:
            os.close(fd)


def _runtime_base() -> Path:
    # Kernels talk to their server over Unix sockets, whose paths must stay under 108 bytes: a short
    # folder outside the workspace. /run is root's, so no account can put anything there first.
    return Path("/run/enclave-room") if os.access("/run", os.W_OK) else Path("/tmp/enclave-room")


def kernel_runtime_dir(account: WorkspaceAccount) -> Path:
    """The account's ``JUPYTER_RUNTIME_DIR``: connection files and the kernels' Unix sockets."""
    return _runtime_base() / str(account.uid)


def _prepare_runtime_dir(account: WorkspaceAccount) -> Path:
    base = _runtime_base()
    with contextlib.suppress(FileExistsError):
        os.mkdir(base, PASSAGE_MODE)
    info = os.lstat(base)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
        # Under /tmp an account could have made it first: refuse rather than use it.
        raise IsolationUnavailable(text("hub.runtime_dir_taken", path=base))
    os.chmod(base, PASSAGE_MODE)
    folder = kernel_runtime_dir(account)
    _real_folder(folder, 0o700, (account.uid, account.gid))
    return folder


def clear_kernel_runtime(account: WorkspaceAccount) -> None:
    """Remove the account's runtime folder (connection files of its stopped kernels)."""
    _remove_entry(kernel_runtime_dir(account))


def prepare_workspace_folders(settings: Settings, project_id: int, username: str,
                              account: WorkspaceAccount | None) -> Path:
    """Create the workspace's folders with their owners and modes; return the workspace folder.

    The folders above the workspace are root's (or the hub user's) and
    passable only; the workspace, ``outputs/`` and ``.tmp/`` are the
    account's. A workspace last used under another account (a membership
    removed and added again) is handed to the new one.
    """
    owner = _owner(account)
    root = workspace_root(settings, project_id, username)
    settings.workspaces_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.workspaces_dir, PASSAGE_MODE)
    _real_folder(root.parent, PASSAGE_MODE, None)
    _real_folder(root, 0o700, owner)
    if owner is not None:
        _reown(root, owner)
    _real_folder(root / "outputs", 0o700, owner)
    _real_folder(root / ".tmp", 0o700, owner)
    if account is not None:
        _prepare_runtime_dir(account)
    return root


def provision_workspace(svc: EnclaveService, session: Session, project_id: int, username: str,
                        account: WorkspaceAccount | None = None) -> ProvisionedWorkspace:
    """Write the project's dataset, an outputs folder and the notebooks into the workspace.

    The approved, processed dataset (:func:`enclave.provisioning.read_project_dataset`)
    is decrypted into ``data/linked.parquet``, written atomically into a
    fresh ``data/`` folder that only root may write; earlier copies are
    replaced. The audit event ``hub.provision`` names the project, the row
    count and the columns.

    Args:
        svc: The opened enclave.
        session: An open session (the audit event joins its transaction).
        project_id: The project whose data is provisioned.
        username: The researcher.
        account: The workspace's account (:func:`enclave.hub.accounts.account_for_member`),
            or None when servers run as the hub's own user.

    Returns:
        What was provisioned.

    Raises:
        NotFound: The project has no approved dataset yet
            (from :func:`enclave.provisioning.read_project_dataset`).
    """
    # Imported here: project destruction imports this module, and provisioning imports projects.
    from enclave.provisioning import read_project_dataset

    frame = read_project_dataset(svc, session, project_id)
    root = prepare_workspace_folders(svc.settings, project_id, username, account)
    data_dir = root / "data"
    _remove_entry(data_dir)
    _real_folder(data_dir, 0o700, None)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    data_file = data_dir / DATA_FILE_NAME
    # The atomic write means a kernel never sees half a file.
    if account is None:
        atomic_write(data_file, buffer.getvalue(), mode=0o444)
        os.chmod(data_dir, 0o555)
    else:
        atomic_write(data_file, buffer.getvalue(), mode=0o440)
        os.chown(data_file, os.geteuid(), account.gid)
        os.chown(data_dir, os.geteuid(), account.gid)
        os.chmod(data_dir, 0o550)
    _copy_notebooks(svc.settings.notebooks_dir, root, _owner(account))
    columns = tuple(str(c) for c in frame.columns)
    svc.audit.record(session, actor=username, action="hub.provision", object_type="project",
                     object_id=project_id, rows=len(frame), columns=list(columns),
                     account=None if account is None else account.uid)
    return ProvisionedWorkspace(project_id=project_id, username=username, root=root, data_file=data_file,
                                row_count=len(frame), columns=columns, account=account)


def _remove_tree(path: Path) -> None:
    # Read-only folders (data/ is 0555) cannot be emptied by a non-root owner until made
    # writable. Only real folders and files are made writable: never through a link.
    def make_writable_and_retry(function, target, _exc):  # type: ignore[no-untyped-def]
        for entry in (os.path.dirname(target), target):
            if not os.path.islink(entry):
                os.chmod(entry, stat.S_IRWXU)
        function(target)

    shutil.rmtree(path, onerror=make_writable_and_retry)


def clear_workspace_data(root: Path) -> bool:
    """Remove the decrypted dataset from a workspace (at server stop); keep outputs and notebooks.

    Whatever a kernel left in ``data/``'s place (a link, a file) is removed
    as it is, never followed.

    Returns:
        Whether there was a dataset to remove.
    """
    return _remove_entry(root / "data")


def remove_project_workspaces(settings: Settings, project_id: int) -> int:
    """Remove every workspace of a project (for its destruction).

    Returns:
        How many researchers' workspaces were removed.
    """
    folder = settings.workspaces_dir / str(int(project_id))
    if not folder.exists():
        return 0
    count = sum(1 for child in folder.iterdir() if child.is_dir() and not child.is_symlink())
    _remove_tree(folder)
    return count
