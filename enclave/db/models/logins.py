"""Failed logins, counted in the database so every web worker sees the same count."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.models.base import Base, UtcDateTime

__all__ = ["LoginFailure"]


class LoginFailure(Base):
    """One login attempt counted against an (account, address) pair.

    The pair is kept only as a SHA-256 digest: what was typed into the user
    name field may be a mistyped password, and it has no place in a table.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_pair_at", "pair_digest", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair_digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
