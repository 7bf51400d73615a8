"""The agency registry: partner agencies and the signing keys the enclave trusts for them.

The registry is the source of truth for trust: the enclave's and the linkage
unit's ``parties/`` folders are rewritten from it on every change
(:mod:`enclave.agencies.trust`). Keys are never deleted, only retired or
revoked, so the audit log can always name the key a package was signed with.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["Agency", "AgencyKey", "AgencyKeyState", "AgencyState"]


class AgencyState(enum.Enum):
    """Whether an agency may still take part."""

    active = "active"
    revoked = "revoked"


class AgencyKeyState(enum.Enum):
    """Whether packages signed with a key are accepted.

    ``active``: the agency's current key, the only one new packages may be
    signed with. ``retired``: replaced in an ordinary rotation; packages the
    linkage unit already received under it can still be opened to link.
    ``revoked``: never trusted again (compromised, or the agency revoked).
    """

    active = "active"
    retired = "retired"
    revoked = "revoked"


class Agency(Base):
    """A partner agency (data provider) registered by an admin."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[AgencyState] = mapped_column(
        Enum(AgencyState, name="agency_state", native_enum=False, length=20), default=AgencyState.active)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_by: Mapped[str | None] = mapped_column(String(64), default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)

    keys: Mapped[list[AgencyKey]] = relationship(back_populates="agency", order_by="AgencyKey.id")

    @property
    def is_active(self) -> bool:
        """Whether the agency may take part (its users added, its packages accepted)."""
        return self.state is AgencyState.active

    @property
    def active_key(self) -> AgencyKey | None:
        """The key new packages must be signed with, if any."""
        return next((k for k in self.keys if k.state is AgencyKeyState.active), None)


class AgencyKey(Base):
    """One Ed25519 signing public key of an agency, with its fingerprint."""

    __tablename__ = "agency_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    public_pem: Mapped[str] = mapped_column(Text)
    # A key belongs to one agency once: reusing a retired or revoked key is refused.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[AgencyKeyState] = mapped_column(
        Enum(AgencyKeyState, name="agency_key_state", native_enum=False, length=20), default=AgencyKeyState.active)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    retired_by: Mapped[str | None] = mapped_column(String(64), default=None)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)

    agency: Mapped[Agency] = relationship(back_populates="keys")
