"""What a workspace process sees of the machine: other services' sockets hidden, no new privileges.

File modes keep a workspace account out of the enclave's files, and the
egress rules (:mod:`enclave.hub.firewall`) out of the network, but neither
covers Unix sockets: PostgreSQL's and MariaDB's live in ``/run`` and answer
whoever connects (with ``trust`` or ``unix_socket`` authentication, as
superuser). So before a workspace process switches to its account it enters
a mount namespace of its own in which

* every folder directly in ``/run`` except ``/run/enclave-room`` (the kernels'
  own sockets) is covered by an empty, read-only tmpfs, and every socket file
  directly in ``/run`` by ``/dev/null``;
* every socket file directly in ``/tmp``, and every folder directly in ``/tmp``
  that holds one (``.X11-unix`` and the like), is covered the same way;

and it sets ``PR_SET_NO_NEW_PRIVS``, so no setuid program on the host can
give it back any privilege. Sockets in Linux's abstract namespace are not
files and are not covered; only a network namespace would hide them.

Everything here runs in the child process between fork and exec, as root,
and must raise on failure: a workspace must not start half-sandboxed.
"""

from __future__ import annotations

import ctypes
import os
import stat

__all__ = ["KEPT_RUN_FOLDER", "enter_sandbox", "visible_sockets"]

#: The folder in /run a workspace keeps: its kernels' sockets (``enclave.hub.workspace.kernel_runtime_dir``).
KEPT_RUN_FOLDER = "enclave-room"

_CLONE_NEWNS = 0x00020000
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


def _cover_folder(path: str) -> None:
    _check(_mount(b"tmpfs", path.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, b"size=4k,mode=0555"))
    # Read-only after the fact: tmpfs takes MS_RDONLY only on a remount.
    _check(_mount(b"none", path.encode(), None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, None))


def _cover_file(path: str) -> None:
    _check(_mount(b"/dev/null", path.encode(), None, _MS_BIND, None))


def _is_socket(entry: os.DirEntry[str]) -> bool:
    return stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode)


def _holds_socket(path: str) -> bool:
    try:
        with os.scandir(path) as entries:
            return any(_is_socket(e) for e in entries)
    except OSError:
        return False


def enter_sandbox() -> None:
    """Enter a private mount namespace with other services' sockets covered, and forbid new privileges.

    Call as root in the child process, before switching to the workspace account.

    Raises:
        OSError: The namespace or a mount could not be made (the process must not go on).
    """
    _check(_unshare(_CLONE_NEWNS))
    # Private: nothing mounted here reaches the host, nothing of the host's later mounts reaches here.
    _check(_mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None))
    with os.scandir("/run") as entries:
        for entry in list(entries):
            if entry.name == KEPT_RUN_FOLDER or entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                _cover_folder(entry.path)
            elif _is_socket(entry):
                _cover_file(entry.path)
    with os.scandir("/tmp") as entries:
        for entry in list(entries):
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False) and _holds_socket(entry.path):
                _cover_folder(entry.path)
            elif _is_socket(entry):
                _cover_file(entry.path)
    _check(_prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))


def visible_sockets() -> list[str]:
    """Socket files this process can see directly in /run, in /run's folders (but its own) and in /tmp.

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
                if entry.is_symlink() or (base == "/run" and entry.name == KEPT_RUN_FOLDER):
                    continue
                if _is_socket(entry):
                    found.append(entry.path)
                elif entry.is_dir(follow_symlinks=False):
                    with os.scandir(entry.path) as inner:
                        found.extend(e.path for e in inner if _is_socket(e))
            except OSError:
                continue
    return sorted(found)
