"""Bytes researchers read through the notebook server's contents API, audited and flagged to stewards.

The contents API is how JupyterLab opens notebooks and text files; capped as
it is (:mod:`enclave.hub.egress`), many small reads still add up. Each
workspace's notebook server reports what it handed out to the enclave's API,
which records ``hub.contents_read`` (bytes and files, never names or
values). When one researcher's reads from one project's workspace pass
``ENCLAVE_ROOM_READ_LIMIT_MB`` within 24 hours, ``hub.read_volume`` is
recorded once for that window and the steward queue lists it: the steward
then looks at what the researcher did, as with any other signal of a data
breach in the making.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import AuditEvent, Project, User
from enclave.service import EnclaveService

__all__ = ["READ_WINDOW", "ReadVolume", "flagged_read_volumes", "record_workspace_read"]

#: The window reads are added up in.
READ_WINDOW = dt.timedelta(hours=24)

_READ, _FLAG = "hub.contents_read", "hub.read_volume"


@dataclass(frozen=True)
class ReadVolume:
    """A researcher's reads from a project's workspace that passed the limit.

    Attributes:
        project: The project.
        username: The researcher.
        read_bytes: Bytes read within the window when the limit was passed.
        limit_bytes: The limit then.
        flagged_at: When it was flagged.
    """

    project: Project
    username: str
    read_bytes: int
    limit_bytes: int
    flagged_at: dt.datetime


def _events(session: Session, action: str, user: User, project_id: int, since: dt.datetime) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.actor == user.username, AuditEvent.object_type == "project",
        AuditEvent.object_id == str(int(project_id)), AuditEvent.at >= since)))


def record_workspace_read(svc: EnclaveService, session: Session, user: User, project_id: int, *,
                          read_bytes: int, files: int, now: dt.datetime | None = None) -> bool:
    """Audit what a workspace's server handed out; flag the volume once it passes the limit.

    Args:
        svc: The opened enclave (for the audit log and the limit).
        session: An open session (the events join its transaction).
        user: The researcher (access to the project checked by the caller).
        project_id: The workspace's project.
        read_bytes: Bytes returned since the last report.
        files: Notebooks and files returned since the last report.
        now: The time (tests).

    Returns:
        Whether this report made the volume pass the limit (a ``hub.read_volume`` event was recorded).
    """
    at = now or dt.datetime.now(dt.UTC)
    since = at - READ_WINDOW
    svc.audit.record(session, actor=user.username, action=_READ, object_type="project", object_id=project_id,
                     bytes=int(read_bytes), files=int(files))
    session.flush()
    total = sum(int(json.loads(e.details).get("bytes", 0)) for e in _events(session, _READ, user, project_id, since))
    limit = svc.settings.room_read_limit_mb * 1_000_000
    if total <= limit or _events(session, _FLAG, user, project_id, since):
        return False
    svc.audit.record(session, actor=user.username, action=_FLAG, object_type="project", object_id=project_id,
                     bytes=total, limit=limit, window_hours=int(READ_WINDOW.total_seconds() // 3600))
    return True


def flagged_read_volumes(session: Session, *, now: dt.datetime | None = None,
                         within: dt.timedelta = dt.timedelta(days=7)) -> list[ReadVolume]:
    """Read volumes flagged within ``within`` (the steward queue lists them), newest first."""
    since = (now or dt.datetime.now(dt.UTC)) - within
    found = []
    for event in session.scalars(select(AuditEvent).where(AuditEvent.action == _FLAG, AuditEvent.at >= since)
                                 .order_by(AuditEvent.id.desc())):
        project = session.get(Project, int(event.object_id))
        if project is None:
            continue
        details = json.loads(event.details)
        found.append(ReadVolume(project=project, username=event.actor, read_bytes=int(details["bytes"]),
                                limit_bytes=int(details["limit"]), flagged_at=event.at))
    return found
