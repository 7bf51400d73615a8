"""What a workspace process sees of the machine: private /run and temporary folders, no new privileges.

File modes keep a workspace account out of the enclave's files, and the
egress rules (:mod:`enclave.hub.firewall`) out of the network, but neither
covers Unix sockets (PostgreSQL's and MariaDB's live in ``/run`` and answer
whoever connects, with ``trust`` or ``unix_socket`` authentication, as
superuser), nor the folders every account may write (``/tmp``, ``/var/tmp``,
``/dev/shm``), through which two workspaces of one researcher could pass data
between projects. So before a workspace process switches to its account it
enters a mount namespace of its own in which

* ``/run``, ``/tmp``, ``/var/tmp`` and ``/dev/shm`` are fresh, private tmpfs
  (``/run`` read-only), so nothing another process has there, now or later,
  is visible, and nothing written there reaches anyone else;
* the few paths the workspace needs that lie inside them — its workspaces
  folder, its kernels' runtime folder, the interpreter and the project's code
  (a checkout in ``/tmp``, say) — are bound back in at the same place, from
  descriptors opened before anything was covered;

and an IPC namespace of its own (SysV shared memory and message queues,
POSIX message queues), with ``/proc`` a procfs of its own mounted
``hidepid=invisible``: processes of other accounts (other workspaces, root's
services, the hub) are invisible, command lines included. It sets ``PR_SET_NO_NEW_PRIVS``, so no setuid program
on the host can give it back any privilege, and, where the kernel has
Landlock ABI 6, a scoped Landlock domain: no connecting to an abstract Unix
socket (not a file, so no mount covers it) and no signalling outside the
workspace.

Everything here runs in the child process between fork and exec, as root,
and raises on any failure: a workspace must not start half-sandboxed.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path

__all__ = ["COVERED", "PROJECT_PACKAGES", "code_paths", "enter_sandbox", "landlock_abi", "visible_sockets"]

#: The folders replaced by private tmpfs, with their mount options.
COVERED: tuple[tuple[str, bytes], ...] = (
    ("/run", b"size=1m,mode=0755"),
    ("/tmp", b"size=512m,mode=1777"),
    ("/var/tmp", b"size=64m,mode=1777"),
    ("/dev/shm", b"size=256m,mode=1777"),
)

_CLONE_NEWNS, _CLONE_NEWIPC = 0x00020000, 0x08000000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
_PR_SET_NO_NEW_PRIVS = 38

# Loaded in the parent: nothing is looked up between fork and exec.
_libc = ctypes.CDLL(None, use_errno=True)
_unshare, _mount, _prctl = _libc.unshare, _libc.mount, _libc.prctl


def _check(result: int) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))


#: The project's top-level packages: a workspace process imports all of them (``enclave.hub`` reads its
#: texts through ``translation``), so each folder must stay visible inside the sandbox.
PROJECT_PACKAGES = ("enclave", "linkage", "export_review", "translation")


def code_paths() -> tuple[str, ...]:
    """The interpreter's and the project's package folders, which a workspace process must keep seeing.

    The packages' own folders, not the checkout around them: a checkout in
    /tmp also holds the default data folder and the demo's workspace.
    """
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(sys.executable)}
    for package in PROJECT_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is not None and spec.origin:
            paths.add(str(Path(spec.origin).resolve().parent))
    return tuple(sorted(os.path.realpath(p) for p in paths))


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def enter_sandbox(keep: Iterable[str] = ()) -> None:
    """Enter a private mount namespace with /run and the temporary folders replaced, and forbid new privileges.

    Call as root in the child process, before switching to the workspace account.

    Args:
        keep: Real paths (folders) to bind back where a covered folder hides them.

    Raises:
        OSError: The namespace or a mount could not be made (the process must not go on).
    """
    # IPC too: SysV shared memory and message queues and POSIX message queues are not files either.
    _check(_unshare(_CLONE_NEWNS | _CLONE_NEWIPC))
    # Private: nothing mounted here reaches the host, nothing of the host's later mounts reaches here.
    _check(_mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None))
    # Descriptors of what is bound back, opened in this namespace before anything is covered.
    kept: list[tuple[str, int]] = []
    for path in sorted(set(keep)):
        if any(_under(path, folder) for folder, _ in COVERED):
            with contextlib.suppress(FileNotFoundError):
                kept.append((path, os.open(path, os.O_PATH | os.O_DIRECTORY)))
    for folder, options in COVERED:
        if os.path.islink(folder):
            # It would lead somewhere left uncovered and shared: refuse rather than start.
            raise OSError(f"{folder} is a link; the workspace sandbox cannot make it private")
        if not os.path.isdir(folder):
            continue
        flags = _MS_NOSUID | _MS_NODEV
        _check(_mount(b"tmpfs", folder.encode(), b"tmpfs", flags, options))
        for path, fd in kept:
            if _under(path, folder):
                os.makedirs(path, mode=0o755, exist_ok=True)
                _check(_mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, _MS_BIND | _MS_REC, None))
        if folder == "/run":
            _check(_mount(b"none", b"/run", None, _MS_REMOUNT | _MS_RDONLY | flags, None))
    for _, fd in kept:
        os.close(fd)
    # A procfs of its own that shows only the account's own processes: no other workspace's or
    # service's command line, environment size or open-file names (hidepid=invisible, Linux 5.8).
    _check(_mount(b"proc", b"/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, b"hidepid=invisible"))
    _check(_prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    _scope_with_landlock()


class _LandlockRulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


_SYS_LANDLOCK_CREATE_RULESET, _SYS_LANDLOCK_RESTRICT_SELF = 444, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, _LANDLOCK_SCOPE_SIGNAL = 0x1, 0x2
_syscall = _libc.syscall
_syscall.restype = ctypes.c_long


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0 when Landlock is unavailable)."""
    version = _syscall(_SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                       ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _scope_with_landlock() -> None:
    """With Landlock ABI 6 or later, shut the abstract-socket and signal channels out of this workspace.

    A scoped Landlock domain may not connect to an abstract Unix socket, nor
    signal a process, outside itself: two workspaces can no longer talk
    through the abstract namespace, which mounts cannot cover. Older kernels
    lack the scopes; the documentation says so.
    """
    if landlock_abi() < 6:
        return
    attr = _LandlockRulesetAttr(0, 0, _LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | _LANDLOCK_SCOPE_SIGNAL)
    fd = _syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)),
                  ctypes.c_uint32(0))
    if fd < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    try:
        _check(int(_syscall(_SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0))))
    finally:
        os.close(fd)


def _is_socket(entry: os.DirEntry[str]) -> bool:
    return stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode)


def visible_sockets() -> list[str]:
    """Socket files this process can see directly in /run, /tmp and their folders (one level down).

    The probe runs it as a workspace account inside the sandbox: the list must be empty.
    """
    found: list[str] = []
    for base in ("/run", "/tmp"):
        try:
            with os.scandir(base) as entries:
                top = list(entries)
        except OSError:
            continue
        for entry in top:
            try:
                if entry.is_symlink():
                    continue
                if _is_socket(entry):
                    found.append(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    with os.scandir(entry.path) as inner:
                        found.extend(e.path for e in inner if _is_socket(e))
            except OSError:
                continue
    return sorted(found)
