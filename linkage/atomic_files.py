"""Write files so that a crash never leaves half a file behind.

Bytes go to a temporary file in the target's folder, are flushed and fsynced,
then renamed over the target (``os.replace`` is atomic on POSIX), and the
folder is fsynced so the rename itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_bytes_atomically", "write_text_atomically"]


def write_bytes_atomically(path: str | Path, data: bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` atomically with permission bits ``mode``.

    Args:
        path: Target file; its folder is created if needed.
        data: The bytes.
        mode: Permission bits, e.g. ``0o600`` for private keys (set before any byte is written).

    Returns:
        The target path.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return target


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
