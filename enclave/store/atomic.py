"""Atomic file writes for the enclave: the partner tool's writer (:mod:`linkage.atomic_files`), private by default.

Most of what the enclave writes is ciphertext, key material or reports, so
its files are created 0600 unless a caller asks for more.
"""

from __future__ import annotations

from pathlib import Path

from linkage.atomic_files import atomic_writer

__all__ = ["atomic_write", "atomic_writer"]


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`linkage.atomic_files.atomic_writer`)."""
    with atomic_writer(path, mode) as fh:
        fh.write(data)
