"""Write files so that a crash never leaves half a file behind: the project's one atomic writer.

Bytes go to a temporary file in the target's folder, are flushed and fsynced,
then renamed over the target (``os.replace`` is atomic on POSIX), and the
folder is fsynced so the rename itself survives a power cut. A reader sees the
old file or the new one, never half of one. The writer holds an ``flock`` on
the temporary file while it lives, so a start-up sweep can tell a file a
killed process left (lock free) from one being written now (lock held). The partner tool, the enclave
(:mod:`enclave.store`) and the researcher's ``export_review`` all write
through this module, the lowest of the three packages.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer", "write_bytes_atomically", "write_text_atomically"]


@contextlib.contextmanager
def atomic_writer(path: str | Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """Open a temporary file that replaces ``path`` only when the block succeeds.

    Args:
        path: The file to create or replace; its folder is created if needed.
        mode: Permission bits of the new file, set before any byte is written.

    Yields:
        A binary file object to write to.

    Example:
        >>> with atomic_writer(Path("out.bin")) as fh:  # doctest: +SKIP
        ...     fh.write(b"data")
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            # Renamed while the lock is still held: a sweep never sees this file unlocked.
            os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_bytes_atomically(path: str | Path, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically with permission bits ``mode``.

    Args:
        path: Target file; its folder is created if needed.
        data: The bytes.
        mode: Permission bits, e.g. ``0o600`` for private keys (set before any byte is written).

    Returns:
        The target path.
    """
    with atomic_writer(path, mode) as handle:
        handle.write(data)
    return Path(path)


def write_text_atomically(path: str | Path, content: str, mode: int = 0o644) -> Path:
    """Write UTF-8 ``content`` to ``path`` atomically.

    Args:
        path: Target file.
        content: The text.
        mode: Permission bits.

    Returns:
        The target path.
    """
    return write_bytes_atomically(path, content.encode("utf-8"), mode)
