"""The agency registry: partner agencies, their signing keys, and the trust folders written from it."""

from __future__ import annotations

from enclave.agencies.registry import (
    AgencyKeyRecord,
    AgencyRecord,
    adopt_trusted_files,
    agency_problem,
    find_agency,
    list_agencies,
    register_agency,
    revoke_agency,
    rotate_agency_key,
    sync_trust_files,
)

__all__ = [
    "AgencyKeyRecord",
    "AgencyRecord",
    "adopt_trusted_files",
    "agency_problem",
    "find_agency",
    "list_agencies",
    "register_agency",
    "revoke_agency",
    "rotate_agency_key",
    "sync_trust_files",
]
