"""Who may start, cancel and watch stage-4 jobs: one place for the rule.

A job acts on a project's data on the project's behalf, so it is started by
someone who may decide on the project: a steward or admin who is not on its
team (:func:`enclave.projects.steward_may_decide`). Anyone who may start jobs
on a project may also watch and cancel them.
"""

from __future__ import annotations

from enclave.db.models import Project, User
from enclave.errors import PermissionDenied
from enclave.messages import text
from enclave.projects import steward_may_decide

__all__ = ["can_start_job", "check_can_start_job"]


def can_start_job(user: User, project: Project) -> bool:
    """Whether ``user`` may start (and cancel) stage-4 jobs on ``project``."""
    return user.is_active and steward_may_decide(user, project)


def check_can_start_job(user: User, project: Project, *, audit: dict[str, object] | None = None) -> None:
    """Refuse a user who may not start jobs on ``project``.

    Raises:
        PermissionDenied: Not a steward or admin, or one on the project's team.
    """
    if not can_start_job(user, project):
        raise PermissionDenied(text("jobs.not_allowed"), audit=audit)
