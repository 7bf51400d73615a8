"""A researcher's workspace: one folder per project and user, provisioned at spawn.

Layout under ``ENCLAVE_WORKSPACES_DIR`` (outside the data folder)::

    <project>/<user>/            the workspace: the server's root, working folder and HOME
        data -> ../../data/<project>/<user>    a link to the dataset's folder (below)
        outputs/                 where export_review writes outputs and their evidence
        .tmp/                    the kernels' TMPDIR, so nothing they write lands in the shared /tmp
        .local/share/jupyter/    notebook trust (the notary's key and database); never searched for kernelspecs
        *.ipynb                  the notebooks researchers start from (copied once, then theirs)
    data/<project>/<user>/linked.parquet    the decrypted dataset, while the server runs
    data/<project>/<user>/dataset.json      the approved version it is, named in every output's recipe

With workspace accounts (:mod:`enclave.hub.accounts`) the workspace folder
and everything in it belong to the workspace's account (0700). The dataset
does not live in it: it lives in a tree that is root's all the way down
(folders 0711, the dataset's own folder root's with the account's group,
0550, the file 0440), so root never writes into a folder the account
controls, and the account reads the data and can change nothing of it.
Everything root still does in the workspace (the ``data`` link, ``outputs/``,
``.tmp/``, the notebooks, handing the folder to a new account) goes through
a descriptor of the workspace folder opened with ``O_NOFOLLOW`` and
``dir_fd``-relative calls that never follow a link, because a kernel could
swap any entry at any moment. The workspace folder itself sits in a folder
of root's, so its own path cannot be swapped. Without accounts everything is
the hub user's and the dataset is 0444 in a 0555 folder.

With an account, ``/run/enclave-room/<uid>/`` (the account's, 0700) is the
kernels' ``JUPYTER_RUNTIME_DIR``: kernels talk to their server over Unix
sockets there, whose paths must be short.

The decrypted dataset exists only while the server runs: it is written at
spawn and removed at stop (a researcher can of course copy what they can
read; the copy stays in their workspace, inside the enclave). Removal never
raises: a workspace a kernel made hard to delete must not keep a token alive
or stop a project's destruction. Nothing else of the enclave is put here: no
key, no key-file path, no database URL (``tests/enclave/hub`` scans for them).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import site
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

import export_review
from enclave.combination import read_project_dataset
from enclave.combination.datasets import current_approved_dataset
from enclave.hub.accounts import (
    PASSAGE_MODE,
    IsolationUnavailable,
    WorkspaceAccount,
    kill_account_processes,
)
from enclave.hub.jupyter_paths import jupyter_environment
from enclave.hub.messages import text
from enclave.hub.sandbox import code_paths
from enclave.service import EnclaveService
from enclave.settings import Settings
from enclave.store import atomic_write

__all__ = [
    "DATA_FILE_NAME",
    "clear_kernel_runtime",
    "kernel_runtime_dir",
    "prepare_workspace_folders",
    "process_environment",
    "sandbox_keep",
    "ProvisionedWorkspace",
    "clear_workspace_data",
    "dataset_folder",
    "provision_workspace",
    "remove_project_workspaces",
    "workspace_environment",
    "workspace_root",
]

#: The Parquet file researchers read: ``pd.read_parquet("data/linked.parquet")``.
DATA_FILE_NAME = "linked.parquet"
#: Beside it, the approved version it holds (``export_review.session.DATASET_FILE`` reads it).
DATASET_VERSION_FILE_NAME = "dataset.json"

_log = logging.getLogger(__name__)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


@dataclass(frozen=True)
class ProvisionedWorkspace:
    """What :func:`provision_workspace` made.

    Attributes:
        project_id: The project.
        username: The researcher.
        root: The workspace folder (the notebook server's root).
        data_file: The read-only Parquet file (in the dataset tree; ``root/data`` links to its folder).
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


def _dataset_folder_of(root: Path) -> Path:
    # <ws>/<project>/<user> -> <ws>/data/<project>/<user>: the one place the dataset tree's layout is spelled.
    return root.parent.parent / "data" / root.parent.name / root.name


def dataset_folder(settings: Settings, project_id: int, username: str) -> Path:
    """Return ``<workspaces_dir>/data/<project>/<user>``: where the workspace's dataset is decrypted."""
    return _dataset_folder_of(workspace_root(settings, project_id, username))


def _packages_outside_site_packages() -> list[str]:
    """Folders that hold the project's own packages when they are not in site-packages.

    An editable install (a checkout, as ``scripts/install.sh`` makes) finds
    them through an import hook that a ``.pth`` file installs when Python
    starts. Python kernels run that file; an R kernel's embedded Python
    (reticulate 1.28, Debian's) adds the file's lines to ``sys.path`` without
    running them, so without this R could not import ``export_review``.
    Installed from a wheel, the packages are in site-packages and nothing is
    added.
    """
    site_folders = {str(Path(p).resolve()) for p in site.getsitepackages()}
    folder = str(Path(export_review.__file__).resolve().parent.parent)
    return [] if folder in site_folders else [folder]


def process_environment(root: Path, account: WorkspaceAccount | None) -> dict[str, str]:
    """The variables every process of a workspace gets besides ``ENCLAVE_*`` (server, kernels, headless runs).

    ``HOME`` and ``TMPDIR`` in the workspace; no user site and no module
    lookup in the working folder (the researcher's, which must not shadow
    the server's own modules); Jupyter's configuration and data folders
    pinned outside the workspace (:mod:`enclave.hub.jupyter_paths`); with an
    account, its name and its runtime folder (the kernels' Unix sockets).
    """
    env = {"HOME": str(root), "TMPDIR": str(root / ".tmp"), "PYTHONNOUSERSITE": "1", "PYTHONSAFEPATH": "1"}
    env.update(jupyter_environment(root, None if account is None else kernel_runtime_dir(account)))
    # R kernels reach pandas and export_review through reticulate, on the room's own interpreter.
    env["RETICULATE_PYTHON"] = sys.executable
    outside = _packages_outside_site_packages()
    if outside:
        env["PYTHONPATH"] = os.pathsep.join(outside)
    if account is not None:
        env["USER"] = env["LOGNAME"] = account.name
    return env


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


def _remove_tree(path: Path) -> bool:
    """Remove ``path`` and everything in it, never following a link and never raising.

    ``path`` itself must sit in a folder of the hub's (nobody else can swap
    it). Folders the hub user cannot write (a dataset folder is 0555 without
    accounts) are opened up through descriptors first. ``shutil.rmtree``
    works through descriptors too; whatever it cannot remove (a tree deeper
    than Python's recursion, say) is left to ``rm -rf --one-file-system``.

    Returns:
        Whether nothing is left at ``path``.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return True
    if not stat.S_ISDIR(info.st_mode):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return not os.path.lexists(path)
    if os.geteuid() != 0:
        with contextlib.suppress(OSError):
            for _, _, _, fd in os.fwalk(path, follow_symlinks=False):
                if os.fstat(fd).st_uid == os.geteuid():
                    os.fchmod(fd, stat.S_IRWXU)
    try:
        shutil.rmtree(path)
    except (OSError, RecursionError):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], capture_output=True, timeout=600,
                           check=False)
    if os.path.lexists(path):
        _log.error("Could not remove a workspace folder completely; remove it by hand: %s", path)
        return False
    return True


def _settle(fd: int, owner: tuple[int, int] | None, mode: int | None = None) -> None:
    """Give what ``fd`` refers to its owner and mode through the descriptor (never a path), then close it."""
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)


def _real_folder(path: Path, mode: int, owner: tuple[int, int] | None) -> None:
    """Make ``path`` (in a folder nobody else may change) a real folder with ``owner`` and ``mode``."""
    try:
        if not stat.S_ISDIR(os.lstat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass
    with contextlib.suppress(FileExistsError):
        os.mkdir(path, 0o700)
    _settle(os.open(path, _DIR_FLAGS), owner, mode)


def _move_aside(name: str, folder_fd: int) -> None:
    """Rename an entry in the workspace out of the way of one the enclave needs (it stays the researcher's)."""
    os.rename(name, f"{name}.moved-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}",
              src_dir_fd=folder_fd, dst_dir_fd=folder_fd)


def _subfolder(folder_fd: int, name: str, owner: tuple[int, int] | None) -> None:
    """Make ``name`` in the workspace a real folder of ``owner`` (0700), through the workspace's descriptor."""
    for _ in range(3):
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o700, dir_fd=folder_fd)
        try:
            fd = os.open(name, _DIR_FLAGS, dir_fd=folder_fd)
        except OSError:
            # A link or a file where the folder belongs: the researcher's, moved aside.
            _move_aside(name, folder_fd)
            continue
        _settle(fd, owner, 0o700)
        return
    raise IsolationUnavailable(text("hub.workspace_contested", name=name))


def _nested_subfolder(root_fd: int, names: tuple[str, ...], owner: tuple[int, int] | None) -> None:
    """Make ``names[0]/names[1]/…`` in the workspace real folders of ``owner``, one descriptor at a time."""
    fd = os.dup(root_fd)
    try:
        for name in names:
            _subfolder(fd, name, owner)
            inner = os.open(name, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def _link(folder_fd: int, name: str, target: str, owner: tuple[int, int] | None) -> None:
    """Make ``name`` in the workspace a link to ``target``, through the workspace's descriptor."""
    for _ in range(3):
        with contextlib.suppress(OSError):
            if os.readlink(name, dir_fd=folder_fd) == target:
                return
        with contextlib.suppress(FileNotFoundError):
            _move_aside(name, folder_fd)
        try:
            os.symlink(target, name, dir_fd=folder_fd)
        except FileExistsError:
            continue
        if owner is not None:
            os.chown(name, *owner, dir_fd=folder_fd, follow_symlinks=False)
        return
    raise IsolationUnavailable(text("hub.workspace_contested", name=name))


def _reown(root_fd: int, owner: tuple[int, int], first_uid: int) -> None:
    """Give everything in the workspace to ``owner``; only entries of workspace accounts, never through a link.

    The walk opens every folder relative to its parent's descriptor with
    ``O_NOFOLLOW|O_DIRECTORY|O_NONBLOCK`` (``os.fwalk`` does not, before
    Python 3.13), so a link or a FIFO swapped in for a folder is refused, not
    entered or waited on; entries are changed relative to that descriptor. A
    hard link to someone else's file is left alone (its owner is not a
    workspace account, or it has more than one name).
    """
    pending = [os.dup(root_fd)]
    while pending:
        fd = pending.pop()
        try:
            for name in os.listdir(fd):
                with contextlib.suppress(OSError):
                    info = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    if info.st_uid < first_uid or (not stat.S_ISDIR(info.st_mode) and info.st_nlink != 1):
                        continue
                    os.chown(name, *owner, dir_fd=fd, follow_symlinks=False)
                    if stat.S_ISDIR(info.st_mode) and len(pending) < 256:
                        pending.append(os.open(name, _DIR_FLAGS | os.O_NONBLOCK, dir_fd=fd))
        finally:
            os.close(fd)


def _copy_notebooks(source: Path, root_fd: int, owner: tuple[int, int] | None) -> None:
    if not source.is_dir():
        return
    for notebook in sorted(source.glob("*.ipynb")):
        content = notebook.read_bytes()
        # A researcher's edited copy is their work: it is never overwritten.
        # O_EXCL also refuses a link left in the notebook's place.
        try:
            fd = os.open(notebook.name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600,
                         dir_fd=root_fd)
        except FileExistsError:
            continue
        try:
            os.write(fd, content)
        finally:
            _settle(fd, owner)


def _runtime_base() -> Path:
    # Kernels talk to their server over Unix sockets, whose paths must stay under 108 bytes: a short
    # folder outside the workspace. /run is root's, so no account can put anything there first.
    return Path("/run/enclave-room") if os.access("/run", os.W_OK) else Path("/tmp/enclave-room")


def sandbox_keep(settings: Settings, account: WorkspaceAccount) -> tuple[str, ...]:
    """What a workspace process must keep seeing in its sandbox: code, workspaces, its runtime folder."""
    return (*code_paths(), os.path.realpath(settings.workspaces_dir), os.path.realpath(kernel_runtime_dir(account)))


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
    """Remove the account's runtime folder (connection files of its stopped kernels); never raises."""
    _remove_tree(kernel_runtime_dir(account))


def prepare_workspace_folders(settings: Settings, project_id: int, username: str,
                              account: WorkspaceAccount | None) -> Path:
    """Create the workspace's folders with their owners and modes; return the workspace folder.

    The account's processes are ended first: none may be changing the
    workspace while root works in it. A workspace last used under another
    account (a membership removed and added again) is handed to the new one,
    after that account's processes are ended too.
    """
    owner = _owner(account)
    root = workspace_root(settings, project_id, username)
    settings.workspaces_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.workspaces_dir, PASSAGE_MODE)
    _real_folder(root.parent, PASSAGE_MODE, None)
    if account is not None:
        left = kill_account_processes(account)
        with contextlib.suppress(FileNotFoundError):
            previous = os.lstat(root).st_uid
            if previous != account.uid and previous >= settings.hub_uid_base:
                left += kill_account_processes(WorkspaceAccount(uid=previous, gid=previous))
        if left:
            raise IsolationUnavailable(text("hub.workspace_busy"))
    _real_folder(root, 0o700, owner)
    root_fd = os.open(root, _DIR_FLAGS)
    try:
        if owner is not None:
            _reown(root_fd, owner, settings.hub_uid_base)
        _subfolder(root_fd, "outputs", owner)
        _subfolder(root_fd, ".tmp", owner)
        _nested_subfolder(root_fd, (".local", "share", "jupyter"), owner)
        _link(root_fd, "data", os.path.relpath(_dataset_folder_of(root), root), owner)
        _copy_notebooks(settings.notebooks_dir, root_fd, owner)
    finally:
        os.close(root_fd)
    if account is not None:
        _prepare_runtime_dir(account)
    return root


def provision_workspace(svc: EnclaveService, session: Session, project_id: int, username: str,
                        account: WorkspaceAccount | None = None) -> ProvisionedWorkspace:
    """Decrypt the project's dataset for the workspace and prepare its folders and notebooks.

    The approved, processed dataset (:func:`enclave.combination.read_project_dataset`)
    is written atomically into a fresh dataset folder in the hub's own tree,
    which the workspace's ``data`` link points to; earlier copies are
    replaced. The audit event ``hub.provision`` names the project, the row
    count, the columns and the account.

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
            (from :func:`enclave.combination.read_project_dataset`).
    """
    frame = read_project_dataset(svc, session, project_id)
    version = current_approved_dataset(session, project_id).id
    root = prepare_workspace_folders(svc.settings, project_id, username, account)
    folder = dataset_folder(svc.settings, project_id, username)
    for passage in (folder.parent.parent, folder.parent):
        _real_folder(passage, PASSAGE_MODE, None)
    _remove_tree(folder)
    _real_folder(folder, 0o700, None)
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer)
    data_file = folder / DATA_FILE_NAME
    # Recipes name this version, so the enclave recomputes outputs from the very data the kernel read.
    version_file = folder / DATASET_VERSION_FILE_NAME
    version_bytes = json.dumps({"version": str(version)}).encode("utf-8")
    # The atomic write means a kernel never sees half a file; the folder is the hub's alone meanwhile.
    if account is None:
        atomic_write(data_file, buffer.getvalue(), mode=0o444)
        atomic_write(version_file, version_bytes, mode=0o444)
        os.chmod(folder, 0o555)
    else:
        atomic_write(data_file, buffer.getvalue(), mode=0o440)
        atomic_write(version_file, version_bytes, mode=0o440)
        os.chown(data_file, os.geteuid(), account.gid)
        os.chown(version_file, os.geteuid(), account.gid)
        os.chown(folder, os.geteuid(), account.gid)
        os.chmod(folder, 0o550)
    columns = tuple(str(c) for c in frame.columns)
    svc.audit.record(session, actor=username, action="hub.provision", object_type="project",
                     object_id=project_id, rows=len(frame), columns=list(columns),
                     account=None if account is None else account.uid)
    return ProvisionedWorkspace(project_id=project_id, username=username, root=root, data_file=data_file,
                                row_count=len(frame), columns=columns, account=account)


def clear_workspace_data(root: Path) -> bool:
    """Remove a workspace's decrypted dataset (at server stop); keep outputs and notebooks. Never raises.

    Returns:
        Whether there was a dataset to remove.
    """
    folder = _dataset_folder_of(root)
    existed = os.path.lexists(folder)
    _remove_tree(folder)
    return existed


def remove_project_workspaces(settings: Settings, project_id: int) -> int:
    """Remove every workspace of a project and its decrypted datasets (for its destruction). Never raises.

    Returns:
        How many researchers' workspaces were removed.
    """
    folder = settings.workspaces_dir / str(int(project_id))
    count = 0
    with contextlib.suppress(OSError):
        for child in folder.iterdir():
            info = child.lstat()
            if stat.S_ISDIR(info.st_mode):
                count += 1
                if info.st_uid >= settings.hub_uid_base:
                    # Nothing of the account may be running while its workspace is removed.
                    kill_account_processes(WorkspaceAccount(uid=info.st_uid, gid=info.st_gid))
    _remove_tree(folder)
    _remove_tree(_dataset_folder_of(folder / "any").parent)
    return count
