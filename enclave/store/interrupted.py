"""Files an interrupted process left behind, found and removed at start-up.

Two kinds of file exist only while a process writes them: an upload being
received (``incoming/<kind>-<random>.part``) and the atomic writer's
temporary file (``.<name>.<random>.tmp`` beside its target). A process killed
with ``kill -9`` leaves them forever. While alive, the writer holds an
exclusive ``flock`` on each (:func:`incoming_file`, and
:func:`linkage.atomic_files.atomic_writer`); the kernel drops that lock when
the process dies. So a file of either kind whose lock can be taken is a
leftover, whatever its age, and one still locked is being written right now —
the sweep is safe to run while other processes (gunicorn's workers, the
worker, the CLI) are at work, and every process that opens the data folder
runs it.

There are no lock files to go stale: the SQLite write lock
(:mod:`enclave.db.write_lock`) is an ``flock`` too, and a job whose worker
died is recovered through its lease (:func:`enclave.jobs.queue.recover_stale_jobs`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["Leftover", "incoming_file", "remove_interrupted_writes"]

LeftoverKind = Literal["partial_upload", "temporary_file"]

_PART = re.compile(r"^(upload|map)-[0-9a-f]{16}\.part$")
# tempfile.mkstemp's random part is eight characters of [a-z0-9_].
_TEMPORARY = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


@dataclass(frozen=True)
class Leftover:
    """One file an interrupted process left: what kind, where (inside the data folder) and its size."""

    kind: LeftoverKind
    relative_path: str
    size: int

    def audit_event(self) -> dict[str, object]:
        """The audit event recording its removal: the file's place and size, never its content.

        A partial upload is recorded as what it was, an upload that ended
        without an answer (``intake.upload``, outcome ``interrupted``).
        """
        if self.kind == "partial_upload":
            return {"actor": "system", "action": "intake.upload", "object_type": "file",
                    "object_id": self.relative_path, "outcome": "interrupted", "bytes": self.size,
                    "reason": "removed_at_start"}
        return {"actor": "system", "action": "store.sweep", "object_type": "file", "object_id": self.relative_path,
                "outcome": "removed", "bytes": self.size, "reason": "interrupted_write"}


@contextlib.contextmanager
def incoming_file(data_dir: Path, prefix: Literal["upload", "map"]) -> Iterator[Path]:
    """Claim a new private file in ``data_dir/incoming`` for an upload; it is removed when the block ends.

    The claim holds an ``flock`` on the file until then, so a start-up sweep in
    another process leaves it alone while this one lives.

    Args:
        data_dir: The party's data folder.
        prefix: ``upload`` for packages, ``map`` for linkage maps.

    Yields:
        The path to write the upload to.
    """
    folder = data_dir / "incoming"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{prefix}-{secrets.token_hex(8)}.part"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)


def _kind(path: Path) -> LeftoverKind | None:
    if path.parent.name == "incoming" and _PART.match(path.name):
        return "partial_upload"
    if _TEMPORARY.match(path.name):
        return "temporary_file"
    return None


def _remove_if_abandoned(path: Path) -> int | None:
    """Remove ``path`` if no living process holds its lock; its size, or None when left alone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None  # gone already (another sweep), or not a plain file
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a living writer holds it
        size = os.fstat(fd).st_size
        try:
            path.unlink()
        except FileNotFoundError:
            return None  # another process's sweep removed it first, and records it
        return size
    finally:
        os.close(fd)


def remove_interrupted_writes(root: Path, record: Callable[[Leftover], None]) -> list[Leftover]:
    """Remove every abandoned partial upload and temporary file under ``root``, calling ``record`` for each.

    Args:
        root: The party's data folder.
        record: Called once per removed file (the caller writes its audit event).

    Returns:
        What was removed.
    """
    removed: list[Leftover] = []
    if not root.is_dir():
        return removed
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            kind = _kind(path)
            if kind is None:
                continue
            size = _remove_if_abandoned(path)
            if size is not None:
                leftover = Leftover(kind, path.relative_to(root).as_posix(), size)
                record(leftover)
                removed.append(leftover)
    return removed
