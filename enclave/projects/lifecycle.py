"""A project's life after approval: provisioned, active, closing, destroyed.

::

    applied ──(agencies + steward)──► approved ──(linked data approved as adequate)──► provisioned
       └──► declined                                                                       │
                                                    active ◄──(steward opens the workspace)┘
                                                      │
                         closing ◄──(researcher or steward; retention end reached)
                            │
                        destroyed  (data deleted, keys shredded, certificate signed)
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import Project, ProjectState, Role, User
from enclave.errors import Conflict, PermissionDenied
from enclave.messages import text
from enclave.projects.access import is_member
from enclave.service import EnclaveService

__all__ = ["activate_project", "close_project", "move_project", "projects_due_for_destruction"]

_ALLOWED: dict[ProjectState, frozenset[ProjectState]] = {
    ProjectState.applied: frozenset({ProjectState.approved, ProjectState.declined}),
    ProjectState.approved: frozenset({ProjectState.provisioned, ProjectState.closing}),
    ProjectState.provisioned: frozenset({ProjectState.active, ProjectState.closing}),
    ProjectState.active: frozenset({ProjectState.closing}),
    ProjectState.closing: frozenset({ProjectState.destroyed}),
    ProjectState.declined: frozenset({ProjectState.destroyed}),
    ProjectState.destroyed: frozenset(),
}


def move_project(svc: EnclaveService, session: Session, project: Project, to: ProjectState, actor: str,
                 **details: str | int) -> None:
    """Move ``project`` to state ``to``, if the lifecycle allows it, with an audit event.

    Raises:
        Conflict: The move is not allowed from the current state.
    """
    if to not in _ALLOWED[project.state]:
        raise Conflict(text("projects.wrong_state", state=project.state.value))
    before = project.state
    project.state = to
    svc.audit.record(session, actor=actor, action="project.state", object_type="project", object_id=project.id,
                     before=before.value, after=to.value, **details)


def activate_project(svc: EnclaveService, session: Session, project: Project, steward: User) -> None:
    """Open the workspace of a provisioned project to its researchers."""
    if steward.role is not Role.steward or is_member(steward, project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    move_project(svc, session, project, ProjectState.active, steward.username)


def close_project(svc: EnclaveService, session: Session, project: Project, actor: User) -> None:
    """Close a project: researchers lose access at once; destruction follows.

    The project's lead researcher or a steward may close it.
    """
    lead = any(m.user_id == actor.id and m.is_lead for m in project.members)
    if not (lead or actor.role in (Role.steward, Role.admin)):
        raise PermissionDenied(text("users.forbidden", role=actor.role.value))
    move_project(svc, session, project, ProjectState.closing, actor.username)


def projects_due_for_destruction(session: Session, today: dt.date | None = None) -> list[Project]:
    """Projects closing, declined, or past their retention end, not yet destroyed."""
    today = today or dt.date.today()
    stmt = select(Project).where(Project.state != ProjectState.destroyed).order_by(Project.retention_end)
    return [p for p in session.scalars(stmt)
            if p.state in (ProjectState.closing, ProjectState.declined) or p.retention_end <= today]
