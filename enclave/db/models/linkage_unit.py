"""Tables only a separately deployed linkage unit needs: who may call its API.

They live on :class:`LinkageUnitBase` (prefix ``lu_``) like its submissions
and runs, so the enclave's connections can never read them.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.models.base import LinkageUnitBase, UtcDateTime, utcnow

__all__ = ["LinkageUnitToken", "TokenHolder"]


class TokenHolder(enum.Enum):
    """Who a linkage-unit API token belongs to."""

    agency = "agency"
    operator = "operator"


class LinkageUnitToken(LinkageUnitBase):
    """An API token of the linkage unit; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "lu_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters identify a token in lists without revealing it.
    prefix: Mapped[str] = mapped_column(String(16))
    holder: Mapped[TokenHolder] = mapped_column(
        Enum(TokenHolder, name="lu_token_holder", native_enum=False, length=20))
    # The agency's code for agency tokens, the person's name for operators.
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
