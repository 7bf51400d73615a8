"""The agencies' identification-risk pre-checks, as sealed in the content packages the enclave received.

Stage 2 runs at the agency (``linkage prepare``); its figures travel signed in
the content package's manifest and are kept with the submission. The steward
reads them here before starting stage 4, and a package whose pre-check failed
the policy's thresholds is flagged. Figures only: counts, shares and the
thresholds — never a value.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import Submission

__all__ = ["SubmissionPrecheck", "project_prechecks", "submission_precheck"]

_FIGURES = ("quasi_identifiers", "k", "max_share_below_k", "max_unique_share", "records", "classes",
            "smallest_class", "records_below_k", "share_below_k", "unique_records", "unique_share", "passed")


def submission_precheck(submission: Submission) -> dict[str, Any] | None:
    """Return the pre-check figures kept with a submission, or None when its package carried none.

    Args:
        submission: A content submission.

    Returns:
        The figures (only the known keys), or None for packages sealed without a pre-check.
    """
    try:
        figures = json.loads(submission.manifest or "{}").get("precheck")
    except (ValueError, AttributeError):
        return None
    if not isinstance(figures, dict) or "passed" not in figures:
        return None
    return {k: figures[k] for k in _FIGURES if k in figures}


@dataclass(frozen=True)
class SubmissionPrecheck:
    """One content submission of a project and its pre-check, for the project page.

    Attributes:
        agency_code: The sending agency.
        package_id: The package's id.
        received_at: When it arrived.
        row_count: Rows in the package.
        figures: The pre-check's figures, or None when the package carried none.
    """

    agency_code: str
    package_id: str
    received_at: dt.datetime
    row_count: int
    figures: dict[str, Any] | None

    @property
    def is_flagged(self) -> bool:
        """True when the pre-check ran and failed the policy's thresholds."""
        return self.figures is not None and not self.figures.get("passed", False)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-able data for the API."""
        return {"agency_code": self.agency_code, "package_id": self.package_id,
                "received_at": self.received_at.isoformat(), "row_count": self.row_count,
                "precheck": self.figures, "flagged": self.is_flagged}


def project_prechecks(session: Session, project_id: int, agency_code: str | None = None) -> list[SubmissionPrecheck]:
    """Return the pre-checks of a project's content submissions, by agency, newest first.

    Args:
        session: A session on the enclave's tables.
        project_id: The project.
        agency_code: Only this agency's submissions (what an agency may see of its own).

    Returns:
        One entry per content submission.
    """
    query = select(Submission).where(Submission.project_id == project_id)
    if agency_code is not None:
        query = query.where(Submission.agency_code == agency_code)
    rows = session.scalars(query.order_by(Submission.agency_code, Submission.id.desc()))
    return [SubmissionPrecheck(s.agency_code, s.package_id, s.received_at, s.row_count, submission_precheck(s))
            for s in rows]
