"""Where the reports of stage 4 lie, and reading them back for stewards.

The linkage unit's quality report arrives with the linkage map and is kept
beside the project's risk reports, as JSON (for the queue and the API) and as
HTML (for people). Both hold aggregate counts only: records, links per pass,
match rates, blank and invalid identifiers per agency — never a record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from enclave.combination.datasets import reports_dir
from enclave.service import EnclaveService

__all__ = ["linkage_quality_path", "read_linkage_quality", "reports_dir"]


def linkage_quality_path(svc: EnclaveService, project_id: int, form: Literal["json", "html"] = "json") -> Path:
    """Where the linkage quality report of ``project_id`` is kept in ``form``."""
    return reports_dir(svc, project_id) / f"linkage-quality.{form}"


def read_linkage_quality(svc: EnclaveService, project_id: int) -> dict[str, Any] | None:
    """The linkage quality report of ``project_id``, or ``None`` before the linkage ran."""
    path = linkage_quality_path(svc, project_id)
    if not path.is_file():
        return None
    quality: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return quality
