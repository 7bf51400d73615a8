"""Research projects: application, approvals, access rules, lifecycle (destruction: :mod:`enclave.destruction`)."""

from __future__ import annotations

from enclave.projects.access import (
    can_view_project,
    is_member,
    projects_for,
    require_project_access,
    steward_may_decide,
)
from enclave.projects.application import (
    application_hash,
    apply_for_project,
    decide_agency_part,
    decide_as_steward,
    pending_agencies,
)
from enclave.projects.lifecycle import (
    activate_project,
    close_project,
    move_project,
    project_state_conflict,
    projects_due_for_destruction,
)

__all__ = [
    "activate_project",
    "application_hash",
    "apply_for_project",
    "can_view_project",
    "close_project",
    "decide_agency_part",
    "decide_as_steward",
    "is_member",
    "move_project",
    "pending_agencies",
    "project_state_conflict",
    "projects_due_for_destruction",
    "projects_for",
    "require_project_access",
    "steward_may_decide",
]
