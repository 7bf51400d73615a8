"""Who may see which project: the object-level permission rules.

- a researcher: projects they are on;
- an agency: projects whose application requests its data;
- a steward or admin: every project (but see ``steward_may_decide``);
- a separate linkage unit's account: none (it only delivers linkage maps).

A project someone may not see is reported as not found, so guessing ids
reveals nothing about which exist.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import Dataset, DatasetRequest, Project, ProjectMember, ProjectState, Role, User
from enclave.errors import NotFound
from enclave.messages import text

__all__ = ["can_view_project", "is_member", "projects_for", "require_project_access", "steward_may_decide"]


def is_member(user: User, project: Project) -> bool:
    """Whether ``user`` is on ``project``'s team."""
    return any(m.user_id == user.id for m in project.members)


def steward_may_decide(steward: User, project: Project) -> bool:
    """Whether ``steward`` may decide on ``project``: never on a project they belong to."""
    if steward.role not in (Role.steward, Role.admin):
        return False
    return not is_member(steward, project) and project.applicant_id != steward.id


def can_view_project(user: User, project: Project) -> bool:
    """Whether ``user`` may see ``project`` at all."""
    if user.role in (Role.steward, Role.admin):
        return True
    if user.role is Role.researcher:
        return is_member(user, project)
    if user.role is Role.linkage_unit:
        return False
    return user.agency_code in project.agency_codes


def projects_for(session: Session, user: User, *, states: tuple[ProjectState, ...] | None = None) -> list[Project]:
    """Projects ``user`` may see, newest first."""
    stmt = select(Project).order_by(Project.id.desc())
    if user.role is Role.researcher:
        stmt = stmt.where(Project.id.in_(select(ProjectMember.project_id).where(ProjectMember.user_id == user.id)))
    elif user.role is Role.agency:
        stmt = stmt.where(Project.id.in_(
            select(DatasetRequest.project_id).join(Dataset).where(Dataset.agency_code == user.agency_code)))
    elif user.role is Role.linkage_unit:
        return []
    if states:
        stmt = stmt.where(Project.state.in_(states))
    return list(session.scalars(stmt))


def require_project_access(session: Session, user: User, project_id: int) -> Project:
    """Return the project if ``user`` may see it.

    Raises:
        NotFound: The project does not exist or ``user`` may not see it.
    """
    project = session.get(Project, project_id)
    if project is None or not can_view_project(user, project):
        raise NotFound(text("projects.not_found"))
    return project
