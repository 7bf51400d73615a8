"""Web sessions, held in the database so that ending one ends it everywhere."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.accounts import User
from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["SessionEnd", "WebSession"]


class SessionEnd(enum.Enum):
    """Why a web session ended."""

    logout = "logout"
    idle = "idle"
    lifetime = "lifetime"
    ended_by_user = "ended_by_user"
    password_change = "password_change"
    user_disabled = "user_disabled"
    admin_sign_out = "admin_sign_out"


class WebSession(Base):
    """One browser's login.

    The cookie carries a random session id; only its SHA-256 is stored, so
    a copy of the table opens no session. A session ends at logout, when
    revoked, after ``ENCLAVE_SESSION_MINUTES`` idle, and at ``expires_at``
    however busy it is.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_live", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A coarse description ("Firefox on Linux"), never the full user agent or address.
    client: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    end_reason: Mapped[SessionEnd | None] = mapped_column(
        Enum(SessionEnd, name="session_end", native_enum=False, length=20), default=None)

    user: Mapped[User] = relationship()
