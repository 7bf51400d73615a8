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
from enclave.messages import label, text
from enclave.projects.access import is_member, steward_may_decide
from enclave.service import EnclaveService

__all__ = [
    "activate_project",
    "close_project",
    "move_project",
    "project_state_conflict",
    "projects_due_for_destruction",
]

_ALLOWED: dict[ProjectState, frozenset[ProjectState]] = {
    ProjectState.applied: frozenset({ProjectState.approved, ProjectState.declined}),
    ProjectState.approved: frozenset({ProjectState.provisioned, ProjectState.closing}),
    ProjectState.provisioned: frozenset({ProjectState.active, ProjectState.closing}),
    ProjectState.active: frozenset({ProjectState.closing}),
    ProjectState.closing: frozenset({ProjectState.destroyed}),
    ProjectState.declined: frozenset({ProjectState.destroyed}),
    ProjectState.destroyed: frozenset(),
}


def project_state_conflict(project: Project) -> Conflict:
    """The refusal of a step the project's state does not allow, saying what must happen first.

    The next step is the lifecycle's, not the refused action's: a person who
    tries to open a workspace of an ``approved`` project learns that its data
    must first be combined and approved as adequate.
    """
    return Conflict(text("projects.wrong_state_next", state=project.state.value,
                         next=text(f"projects.next.{project.state.value}")))


def move_project(svc: EnclaveService, session: Session, project: Project, to: ProjectState, actor: str,
                 **details: str | int) -> None:
    """Move ``project`` to state ``to``, if the lifecycle allows it, with an audit event.

    Raises:
        Conflict: The move is not allowed from the current state.
    """
    if to not in _ALLOWED[project.state]:
        raise project_state_conflict(project)
    before = project.state
    project.state = to
    svc.audit.record(session, actor=actor, action="project.state", object_type="project", object_id=project.id,
                     before=before.value, after=to.value, **details)


def activate_project(svc: EnclaveService, session: Session, project: Project, steward: User) -> None:
    """Open the workspace of a provisioned project to its researchers.

    Raises:
        PermissionDenied: Not a steward, or a steward on the project's team.
        Conflict: Already open (a second click), or not provisioned yet.
    """
    if steward.role is not Role.steward or is_member(steward, project):
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if project.state is ProjectState.active:
        raise Conflict(text("projects.already_decided", decision=project.state.value))
    move_project(svc, session, project, ProjectState.active, steward.username)


def close_project(svc: EnclaveService, session: Session, project: Project, actor: User) -> None:
    """Close a project: researchers lose access at once; destruction follows.

    The project's lead researcher, a steward not on its team, or an admin may close it.

    Raises:
        PermissionDenied: Neither the lead researcher nor a steward or admin.
        Conflict: Already closing (a second click), or a state that cannot close.
    """
    lead = any(m.user_id == actor.id and m.is_lead for m in project.members)
    if not (lead or actor.role in (Role.steward, Role.admin)):
        raise PermissionDenied(text("users.forbidden", role=label(actor.role)))
    if actor.role is Role.steward and not steward_may_decide(actor, project):
        # Any steward may close, but one on the team does not decide on their own project.
        raise PermissionDenied(text("projects.conflict_of_interest"))
    if project.state is ProjectState.closing:
        raise Conflict(text("projects.already_decided", decision=project.state.value))
    move_project(svc, session, project, ProjectState.closing, actor.username)


def projects_due_for_destruction(session: Session, today: dt.date | None = None) -> list[Project]:
    """Projects closing, declined, or past their retention end, not yet destroyed."""
    today = today or dt.date.today()
    stmt = select(Project).where(Project.state != ProjectState.destroyed).order_by(Project.retention_end)
    return [p for p in session.scalars(stmt)
            if p.state in (ProjectState.closing, ProjectState.declined) or p.retention_end <= today]
