"""Workspace accounts: each workspace's notebook server and kernels run under an account of their own.

The hub runs as root; a researcher's server does not. Every workspace (one
researcher on one project) gets a numeric user and group id,
``ENCLAVE_HUB_UID_BASE`` plus the number of the researcher's project
membership, and its server and kernels switch to it before they start. The
operating system then keeps apart what the API alone could not:

* the data folder (key file, database, encrypted objects, the linkage unit's
  files, the hub's own folder) is the hub's, mode 0700: no workspace account
  can enter it;
* a workspace folder is its account's, mode 0700: another workspace's account
  cannot list or read it, and the folder holding all workspaces is 0711, so
  nobody can even list whose workspaces exist;
* the dataset inside a workspace belongs to root with the workspace's group,
  mode 0440 in a 0550 folder: readable by the workspace, not writable.

No entry in ``/etc/passwd`` is needed: the accounts are numbers, created by
nothing and left behind by nothing (as OpenShift runs containers under
arbitrary ids). A deployment that wants named accounts or containers keeps
the same layout.

``ENCLAVE_HUB_ISOLATION`` chooses: ``accounts`` (needs root), ``none`` (the
hub's own account; development only, refused in production) or ``auto``
(``accounts`` when running as root). :func:`probe_isolation` proves the
layout before accounts are used, by running a process as a workspace
account that must reach the interpreter and the workspaces but not the key
file, the database or the data folder.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import ProjectMember
from enclave.errors import ConfigurationError
from enclave.hub.messages import text
from enclave.hub.sandbox import code_paths, enter_sandbox
from enclave.settings import Settings

__all__ = [
    "AccountsCannotStart",
    "EnclaveFilesOpen",
    "IsolationUnavailable",
    "WorkspaceAccount",
    "account_cgroup",
    "account_for_member",
    "enter_account",
    "kill_account_processes",
    "isolation_enabled",
    "probe_isolation",
    "require_isolation",
    "switch_to",
]

_log = logging.getLogger(__name__)

#: Mode of the folder holding all workspaces, and of each project's folder in it: enter, not list.
PASSAGE_MODE = 0o711


class IsolationUnavailable(ConfigurationError):
    """Workspace accounts are asked for but cannot be used, or do not keep the data folder closed."""


class AccountsCannotStart(IsolationUnavailable):
    """A workspace account cannot start the interpreter or reach the workspaces folder."""


class EnclaveFilesOpen(IsolationUnavailable):
    """A workspace account could read the key file, the database or the data folder."""


@dataclass(frozen=True)
class WorkspaceAccount:
    """The numeric account a workspace's server and kernels run as.

    Attributes:
        uid: User id.
        gid: Group id (the account's own group: nobody else is in it).
    """

    uid: int
    gid: int

    @property
    def name(self) -> str:
        """A name for ``USER`` and logs (the account has no ``/etc/passwd`` entry)."""
        return f"enclave-{self.uid}"


_decided: dict[tuple[object, ...], bool] = {}


def isolation_enabled(settings: Settings) -> bool:
    """Whether workspaces run under accounts of their own, per ``ENCLAVE_HUB_ISOLATION``.

    Decided once per process and settings. With accounts, :func:`probe_isolation`
    must pass first. ``auto`` in development mode falls back to the process's
    own user, with a warning in the log, when accounts cannot start Python or
    reach the workspaces (an interpreter under ``/root``, say); never when an
    account could read the enclave's files.

    Raises:
        IsolationUnavailable: ``accounts`` is asked for but this process is not
            root or the probe fails; or ``auto`` as root and the probe fails in
            production, or finds the enclave's files open.
    """
    key = (settings.hub_isolation, settings.mode, str(settings.data_dir), str(settings.key_file),
           str(settings.workspaces_dir), settings.hub_uid_base, settings.database_url)
    if key in _decided:
        return _decided[key]
    if settings.hub_isolation == "none":
        decided = False
    elif os.geteuid() != 0:
        if settings.hub_isolation == "accounts":
            raise IsolationUnavailable(text("hub.isolation_needs_root"))
        decided = False
    else:
        try:
            probe_isolation(settings)
            decided = True
        except AccountsCannotStart:
            if settings.hub_isolation == "accounts" or not settings.is_development:
                raise
            _log.warning("Workspace accounts cannot be used here (see `enclave hub`); "
                         "workspaces run as this process's own user")
            decided = False
    _decided[key] = decided
    return decided


def require_isolation(settings: Settings) -> bool:
    """Like :func:`isolation_enabled`, but production mode refuses to run without it.

    Returns:
        Whether workspace accounts are used.

    Raises:
        IsolationUnavailable: Production mode without workspace accounts, or
            as :func:`isolation_enabled` raises.
    """
    enabled = isolation_enabled(settings)
    if not enabled and not settings.is_development:
        raise IsolationUnavailable(text("hub.isolation_required"))
    return enabled


def account_for_member(session: Session, settings: Settings, project_id: int, user_id: int) -> WorkspaceAccount:
    """Return the account of ``user_id``'s workspace on ``project_id``.

    Raises:
        LookupError: The user is not a member of the project (callers check access first).
    """
    member_id = session.scalar(select(ProjectMember.id).where(ProjectMember.project_id == project_id,
                                                              ProjectMember.user_id == user_id))
    if member_id is None:
        raise LookupError("not a member of the project")
    number = settings.hub_uid_base + int(member_id)
    return WorkspaceAccount(uid=number, gid=number)


#: Processes a workspace account may run at once (RLIMIT_NPROC): enough for a server and many kernels,
#: not enough for a fork bomb to starve the hub.
MAX_PROCESSES = 512


def enter_account(account: WorkspaceAccount, *, keep: Iterable[str] = (),
                  max_processes: int = MAX_PROCESSES) -> None:
    """Become a sandboxed ``account`` (in a child process, as root, before exec).

    The sandbox (:func:`enclave.hub.sandbox.enter_sandbox`) comes first, while
    the process may still mount; then the process limit; the account last.

    Args:
        account: The workspace account.
        keep: Folders the process needs that the sandbox would cover (computed in the parent).
        max_processes: The account's process limit.
    """
    enter_sandbox(keep)
    _join_cgroup(account)
    resource.setrlimit(resource.RLIMIT_NPROC, (max_processes, max_processes))
    switch_to(account)


def _cgroups() -> Path | None:
    """The folder under the cgroup v2 hierarchy that holds one cgroup per workspace account, if usable here.

    Decided once, in the hub's process: a folder that cannot be made (no
    cgroup v2, a read-only /sys) means accounts are ended by the /proc scan alone.
    """
    try:
        with open("/proc/self/mounts", encoding="utf-8") as mounts:
            roots = [line.split()[1] for line in mounts if len(line.split()) > 2 and line.split()[2] == "cgroup2"]
    except OSError:
        return None
    if not roots or os.geteuid() != 0:
        return None
    folder = Path(roots[0]) / "enclave-room"
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
    except OSError:
        return None
    return folder


_CGROUPS = _cgroups()


def account_cgroup(account: WorkspaceAccount) -> Path | None:
    """The cgroup every process of ``account`` runs in (None where cgroups cannot be used)."""
    return None if _CGROUPS is None else _CGROUPS / str(account.uid)


def _join_cgroup(account: WorkspaceAccount) -> None:
    # In the child, as root: every process the account will ever run descends from here, and only
    # root may move a process out of the cgroup, so cgroup.kill later reaches all of them.
    folder = account_cgroup(account)
    if folder is None:
        return
    os.makedirs(folder, mode=0o755, exist_ok=True)
    with open(folder / "cgroup.procs", "w", encoding="ascii") as procs:
        procs.write(str(os.getpid()))


def _account_pids(uid: int) -> list[int]:
    """Pids of processes with ``uid`` as their real, effective, saved or file-system user.

    A zombie is skipped only when it has no thread left: a process whose
    first thread ended while others run on shows as a zombie too.
    """
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # gone meanwhile
        if str(uid) not in fields.get("Uid", "").split():
            continue
        if fields.get("State", "").strip().startswith("Z") and fields.get("Threads", "1").strip() == "1":
            continue
        found.append(int(entry.name))
    return found


def _kill_cgroup(folder: Path, timeout: float = 10.0) -> None:
    with contextlib.suppress(OSError):
        (folder / "cgroup.kill").write_text("1", encoding="ascii")
        deadline = time.monotonic() + timeout
        while (folder / "cgroup.procs").read_text(encoding="ascii").strip() and time.monotonic() < deadline:
            time.sleep(0.02)
        folder.rmdir()  # empty now; made again when the account next starts


def kill_account_processes(account: WorkspaceAccount, *, rounds: int = 50) -> int:
    """Kill every process of ``account`` from root (at stop, and before its workspace is provisioned).

    A kernel's children outlive the server JupyterHub stops. Every process
    of the account runs in the account's cgroup (joined before the switch to
    the account, which cannot leave it), and ``cgroup.kill`` ends them all at
    once, however fast they fork. Then, and where cgroups cannot be used, the
    hub scans ``/proc`` for processes with the account's id and sends each
    SIGKILL through a pidfd, round after round. No process of the account is
    started for this, so none can be stopped, killed or borrowed by the
    processes it is meant to end.

    Returns:
        How many processes were still there after the last round (0: all ended).
    """
    folder = account_cgroup(account)
    if folder is not None and folder.is_dir():
        _kill_cgroup(folder)
    for _ in range(rounds):
        pids = _account_pids(account.uid)
        if not pids:
            return 0
        for pid in pids:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                signal.pidfd_send_signal(fd, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os.close(fd)
        time.sleep(0.02)
    left = len(_account_pids(account.uid))
    if left:
        _log.error("%d processes of workspace account %s survived being killed", left, account.name)
    return left


def switch_to(account: WorkspaceAccount) -> None:
    """Become ``account`` for good (in a child process, before exec).

    Supplementary groups go first (root's would otherwise stay), then the
    group, then the user; the umask keeps whatever the account creates private.
    """
    os.setgroups([])
    os.setgid(account.gid)
    os.setuid(account.uid)
    os.umask(0o077)


# The probe's own code, run as a workspace account: what it can reach, as booleans only.
_PROBE = r"""
import json, os, sys
checks = json.loads(sys.argv[1])
result = {}
try:
    import jupyterhub.singleuser, ipykernel, pandas, export_review, enclave.hub.egress  # noqa: F401
    result["imports"] = True
except Exception:
    result["imports"] = False
result["workspaces"] = os.access(checks["workspaces"], os.X_OK)
from enclave.hub.sandbox import visible_sockets
result["sockets"] = visible_sockets()
closed = {}
for name, path in checks["closed"].items():
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            open(path, "rb").close()
        closed[name] = False
    except PermissionError:
        closed[name] = True
    except FileNotFoundError:
        closed[name] = True
result["closed"] = closed
print(json.dumps(result))
"""


def _closed_paths(settings: Settings) -> dict[str, str]:
    paths = {"data folder": settings.data_dir, "key file": settings.key_file,
             "linkage unit folder": settings.linkage_unit_dir, "hub folder": settings.data_dir / "hub",
             "encrypted objects": settings.objects_dir}
    if settings.database_url.startswith("sqlite:///"):
        paths["database file"] = Path(settings.database_url.removeprefix("sqlite:///"))
    return {name: str(path) for name, path in paths.items()}


def probe_isolation(settings: Settings, *, timeout: float = 120) -> None:
    """Run a process as a workspace account and check what it can and cannot reach.

    It runs in the same sandbox as a workspace (:func:`enter_account`). It must
    start the interpreter and import the notebook server, the kernel and
    ``export_review``, and enter the workspaces folder; it must not read the
    key file, the database file or the linkage unit's folder, nor list the
    data folder, nor see another service's Unix socket. The probe account is ``ENCLAVE_HUB_UID_BASE`` itself, which
    no workspace uses (membership numbers start at 1).

    Raises:
        IsolationUnavailable: With what failed and how to fix it.
    """
    settings.workspaces_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.workspaces_dir, PASSAGE_MODE)
    account = WorkspaceAccount(uid=settings.hub_uid_base, gid=settings.hub_uid_base)
    keep = (*code_paths(), os.path.realpath(settings.workspaces_dir))
    checks = {"workspaces": str(settings.workspaces_dir), "closed": _closed_paths(settings)}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(settings.workspaces_dir),
           "PYTHONNOUSERSITE": "1", "LANG": os.environ.get("LANG", "C.UTF-8")}
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(checks)], env=env, cwd="/",
                              preexec_fn=lambda: enter_account(account, keep=keep),  # noqa: PLW1509
                              capture_output=True, text=True, timeout=timeout, check=False)
    except PermissionError:
        raise AccountsCannotStart(text("hub.isolation_interpreter", python=sys.executable)) from None
    except subprocess.TimeoutExpired:
        raise AccountsCannotStart(text("hub.isolation_interpreter", python=sys.executable)) from None
    except subprocess.SubprocessError:
        # The sandbox could not be entered (no mount namespaces here, say): never a reason to run unsandboxed.
        raise IsolationUnavailable(text("hub.isolation_sandbox")) from None
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise AccountsCannotStart(text("hub.isolation_interpreter", python=sys.executable)) from None
    if not result["imports"]:
        raise AccountsCannotStart(text("hub.isolation_interpreter", python=sys.executable))
    if not result["workspaces"]:
        raise AccountsCannotStart(text("hub.isolation_workspaces", path=settings.workspaces_dir))
    open_to_accounts = sorted(name for name, closed in result["closed"].items() if not closed)
    if result["sockets"]:
        open_to_accounts.append("other services' sockets")
    if open_to_accounts:
        raise EnclaveFilesOpen(text("hub.isolation_open", what=", ".join(open_to_accounts),
                                    path=settings.data_dir))
