"""Web sessions held in the database: started at login, ended at logout or revocation.

The browser's cookie carries only a random session id; the table keeps its
SHA-256. Every request looks the session up, so ending it here (logout,
"sign out everywhere", a password change, a disabled account) ends it for
every copy of the cookie at once — a cookie saved before logout opens nothing.

Two clocks bound a session: the idle limit (``ENCLAVE_SESSION_MINUTES``
since it was last seen) and the absolute lifetime
(``ENCLAVE_SESSION_ABSOLUTE_HOURS`` since login), so a stolen cookie dies
even if it is used all the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from enclave.db.models import SessionEnd, User, WebSession, utcnow
from enclave.errors import SessionEnded
from enclave.messages import text
from enclave.service import EnclaveService

__all__ = [
    "end_session",
    "end_sessions_of",
    "live_sessions_of",
    "resolve_session",
    "start_session",
]

# Writing last-seen on every request would make each page view a write; a
# minute's precision is ample for an idle limit counted in tens of minutes.
_SEEN_PRECISION = dt.timedelta(minutes=1)


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(
    session: Session,
    user: User,
    *,
    client: str,
    lifetime: dt.timedelta,
    now: dt.datetime | None = None,
) -> tuple[str, WebSession]:
    """Start a web session for ``user`` after a successful login.

    The login itself is audited by :func:`enclave.users.authenticate`; the
    event names this session's row id so later revocations can be traced to it.

    Args:
        session: The open database session.
        user: Who logged in.
        client: A coarse description of the browser, shown in the session list.
        lifetime: The absolute lifetime, counted from now.
        now: The current time (tests pass their own clock).

    Returns:
        The session id for the cookie (never stored) and the new row.
    """
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    row = WebSession(user_id=user.id, id_hash=_hash(session_id), client=client[:100], created_at=now,
                     last_seen_at=now, expires_at=now + lifetime)
    session.add(row)
    session.flush()
    return session_id, row


def resolve_session(
    svc: EnclaveService,
    session: Session,
    session_id: str,
    *,
    idle: dt.timedelta,
    now: dt.datetime | None = None,
) -> WebSession:
    """Return the live session for a cookie's id and note that it was seen.

    A session found past its idle limit or lifetime is ended here, with an
    audit event, so the list of sessions shows why it ended.

    Raises:
        SessionEnded: Unknown, ended or expired session, or a disabled user;
            ``reason`` says which (``unknown``, ``idle``, ``lifetime``, ``revoked``).
    """
    now = now or utcnow()
    row = session.scalar(select(WebSession).where(WebSession.id_hash == _hash(session_id)))
    if row is None:
        raise SessionEnded(text("sessions.ended"), reason="unknown")
    if row.ended_at is not None:
        raise SessionEnded(text("sessions.ended"), reason="revoked")
    if not row.user.is_active:
        end_session(svc, session, row, SessionEnd.user_disabled, actor="system", now=now)
        raise SessionEnded(text("sessions.ended"), reason="revoked")
    if now >= row.expires_at:
        end_session(svc, session, row, SessionEnd.lifetime, actor="system", now=now)
        raise SessionEnded(text("sessions.ended"), reason="lifetime")
    if now - row.last_seen_at > idle:
        end_session(svc, session, row, SessionEnd.idle, actor="system", now=now)
        raise SessionEnded(text("sessions.ended"), reason="idle")
    if now - row.last_seen_at >= _SEEN_PRECISION:
        row.last_seen_at = now
    return row


def end_session(
    svc: EnclaveService,
    session: Session,
    row: WebSession,
    reason: SessionEnd,
    *,
    actor: str,
    now: dt.datetime | None = None,
) -> None:
    """End one session and audit it; an ended session is left as it is.

    Signing out is recorded as ``user.logout``, every other end (expiry,
    revocation) as ``session.end`` with the reason.
    """
    if row.ended_at is not None:
        return
    row.ended_at = now or utcnow()
    row.end_reason = reason
    action = "user.logout" if reason is SessionEnd.logout else "session.end"
    svc.audit.record(session, actor=actor, action=action, object_type="user",
                     object_id=row.user.username, session_id=row.id, reason=reason.value)


def end_sessions_of(
    svc: EnclaveService,
    session: Session,
    user: User,
    reason: SessionEnd,
    *,
    actor: str,
    keep: WebSession | None = None,
) -> int:
    """End every live session of ``user`` except ``keep``; audit each.

    Returns:
        How many sessions were ended.
    """
    ended = 0
    for row in live_sessions_of(session, user):
        if keep is not None and row.id == keep.id:
            continue
        end_session(svc, session, row, reason, actor=actor)
        ended += 1
    return ended


def live_sessions_of(session: Session, user: User, *, idle: dt.timedelta | None = None,
                     now: dt.datetime | None = None) -> list[WebSession]:
    """Return ``user``'s sessions not ended, not past their lifetime nor (given ``idle``) idle, newest first."""
    now = now or utcnow()
    stmt = select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None),
                                    WebSession.expires_at > now)
    if idle is not None:
        # A session that went idle is ended when its cookie next comes back; until then it is dead already.
        stmt = stmt.where(WebSession.last_seen_at >= now - idle)
    return list(session.scalars(stmt.order_by(WebSession.created_at.desc(), WebSession.id.desc())))
