"""Receiving agencies' sealed packages."""

from __future__ import annotations

from enclave.intake.uploads import PayloadTooLarge, ReceivedPackage, receive_package, submissions_for

__all__ = ["PayloadTooLarge", "ReceivedPackage", "receive_package", "submissions_for"]
