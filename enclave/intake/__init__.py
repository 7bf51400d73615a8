"""Receiving agencies' sealed packages, and the pre-checks they carry."""

from __future__ import annotations

from enclave.intake.prechecks import SubmissionPrecheck, project_prechecks, submission_precheck
from enclave.intake.uploads import PayloadTooLarge, ReceivedPackage, receive_package, submissions_for

__all__ = [
    "PayloadTooLarge",
    "ReceivedPackage",
    "SubmissionPrecheck",
    "project_prechecks",
    "receive_package",
    "submissions_for",
    "submission_precheck",
]
