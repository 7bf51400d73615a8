"""Users, roles and API tokens."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Enum, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["ApiToken", "Role", "User"]


class Role(enum.Enum):
    """What a user is to the enclave."""

    researcher = "researcher"
    steward = "steward"
    agency = "agency"
    admin = "admin"
    # A separate linkage unit's service account: it may only deliver linkage maps.
    linkage_unit = "linkage_unit"

    @property
    def needs_second_factor(self) -> bool:
        """Stewards and admins decide on releases and accounts: TOTP is mandatory."""
        return self in (Role.steward, Role.admin)


class User(Base):
    """A person or agency account."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[Role] = mapped_column(Enum(Role, name="user_role", native_enum=False, length=20))
    agency_code: Mapped[str | None] = mapped_column(String(64), default=None)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The TOTP secret is a secret: stored encrypted under the accounts data key.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    totp_last_step: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def has_second_factor(self) -> bool:
        """Whether a TOTP secret is enrolled."""
        return self.totp_secret_enc is not None


class ApiToken(Base):
    """An API token; only its SHA-256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters identify a token in lists without revealing it.
    prefix: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    # "" for the user's whole role, "project:<id>" for a kernel's scoped token.
    scope: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)

    user: Mapped[User] = relationship(back_populates="tokens")
