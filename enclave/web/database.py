"""One database session per request, committed only when the answer is a success.

SQLite transactions here begin ``IMMEDIATE`` (they take the write lock at
once), so a request must never hold two sessions: everything a request reads
and writes goes through :func:`db_session`. It is committed after a response
below 400 and rolled back otherwise, so a refused action changes nothing.
Domain functions that open sessions of their own (destruction, release
building, uploads) are called after :func:`end_db_session` has let go.
"""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from enclave.service import EnclaveService
from enclave.settings import Settings

__all__ = ["current_service", "current_settings", "db_session", "end_db_session"]


def current_service() -> EnclaveService:
    """The opened enclave this app serves."""
    return current_app.extensions["enclave"].service  # type: ignore[no-any-return]


def current_settings() -> Settings:
    """The settings this app was created with."""
    return current_app.extensions["enclave"].settings  # type: ignore[no-any-return]


def db_session() -> Session:
    """The request's session, opened (in a transaction) on first use."""
    session: Session | None = g.get("db_session")
    if session is None:
        session = current_service().db.new_session()
        session.begin()
        g.db_session = session
    return session


def end_db_session(*, commit: bool) -> None:
    """Commit or roll back the request's session and close it, if one is open."""
    session: Session | None = g.pop("db_session", None)
    if session is None:
        return
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()
