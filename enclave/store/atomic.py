"""Atomic file writes: a reader sees the old file or the new one, never half of one.

The write goes to a temporary file in the same folder, is flushed and fsynced,
then renamed over the target, and the folder is fsynced so the rename itself
survives a power cut (the POSIX recipe; rename within one file system is atomic).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_write", "atomic_writer"]


@contextlib.contextmanager
def atomic_writer(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """Open a temporary file that replaces ``path`` only when the block succeeds.

    Args:
        path: The file to create or replace.
        mode: Permission bits of the new file; private by default because
            most of what the enclave writes is ciphertext or key material.

    Yields:
        A binary file object to write to.

    Example:
        >>> with atomic_writer(Path("out.bin")) as fh:  # doctest: +SKIP
        ...     fh.write(b"data")
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_writer`)."""
    with atomic_writer(path, mode) as fh:
        fh.write(data)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
