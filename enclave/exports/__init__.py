"""Export requests: server-side re-check, blind two-person review, signed release."""

from __future__ import annotations

from enclave.exports.requests import (
    MAX_OUTPUTS,
    cast_vote,
    create_export_request,
    load_ledger,
    release_for_download,
    release_path,
    requests_for,
    require_request_access,
    review_board,
    review_queue,
    votes_visible_to,
    withdraw_request,
)

__all__ = [
    "MAX_OUTPUTS",
    "cast_vote",
    "create_export_request",
    "load_ledger",
    "release_for_download",
    "release_path",
    "requests_for",
    "require_request_access",
    "review_board",
    "review_queue",
    "votes_visible_to",
    "withdraw_request",
]
