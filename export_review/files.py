"""Custom files (figures, text, tables made elsewhere) as outputs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from export_review.errors import OutputError
from export_review.messages import text
from export_review.outputs import FileEvidence

__all__ = ["read_custom_file"]


def read_custom_file(path: str | Path, max_bytes: int) -> FileEvidence:
    """Read a file the researcher wants to release, within a size limit.

    Args:
        path: the file.
        max_bytes: the policy's largest allowed file.

    Returns:
        The file evidence (name, bytes, sha256).

    Raises:
        OutputError: when the file is missing, unreadable or too large.
    """
    file = Path(path)
    if not file.is_file():
        raise OutputError(text("file.missing", file=file.name))
    size = file.stat().st_size
    if size > max_bytes:
        raise OutputError(text("file.too_large", file=file.name, limit=max_bytes))
    try:
        content = file.read_bytes()
    except OSError as exc:
        raise OutputError(text("file.unreadable", file=file.name)) from exc
    return FileEvidence(filename=file.name, content=content,
                        sha256=hashlib.sha256(content).hexdigest())
