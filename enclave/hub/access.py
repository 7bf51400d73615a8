"""Who may enter the analysis room, and with which project.

The rule is deliberately narrow: an active researcher account that is a
member of a project in state ``active``. It is checked at
login, before every spawn and again on every request once the hub's
``auth_refresh_age`` has passed, so a project that is closed or destroyed
loses its workspace at the next request.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import Project, ProjectMember, ProjectState, Role, User
from enclave.hub.errors import WorkspaceRefused
from enclave.hub.messages import text

__all__ = ["active_projects_for", "choose_workspace_project", "may_enter_analysis_room"]


def active_projects_for(session: Session, user: User) -> list[Project]:
    """Return the active projects ``user`` works on, by id.

    Args:
        session: An open session.
        user: The researcher.

    Returns:
        Projects in state ``active`` on whose team the user is.
    """
    member_of = select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)
    query = (
        select(Project)
        .where(Project.state == ProjectState.active)
        .where(Project.id.in_(member_of))
        .order_by(Project.id)
    )
    return list(session.scalars(query))


def may_enter_analysis_room(session: Session, user: User) -> bool:
    """Whether ``user`` may hold a workspace now: an active researcher with an active project."""
    return user.is_active and user.role is Role.researcher and bool(active_projects_for(session, user))


def choose_workspace_project(session: Session, user: User, requested: int | None = None) -> Project:
    """Return the project whose workspace ``user`` gets.

    Args:
        session: An open session.
        user: The researcher.
        requested: The project chosen on the spawn form, if any. Without a
            choice the user's only active project is used (or the first,
            when the form was bypassed).

    Returns:
        The project.

    Raises:
        WorkspaceRefused: Not a researcher, no active project, or ``requested``
            is not one of the user's active projects (whether it exists is not said).
    """
    if not user.is_active or user.role is not Role.researcher:
        raise WorkspaceRefused(text("hub.researchers_only"))
    projects = active_projects_for(session, user)
    if not projects:
        raise WorkspaceRefused(text("hub.no_active_project"))
    if requested is None:
        return projects[0]
    for project in projects:
        if project.id == requested:
            return project
    raise WorkspaceRefused(text("hub.project_not_yours", project_id=requested))
