"""Wrapped data keys: one per dataset, per project and per service purpose."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from enclave.db.models.base import Base, UtcDateTime, utcnow

__all__ = ["DataKey"]


class DataKey(Base):
    """An AES-256-GCM data key, stored only wrapped under a key-encryption key."""

    __tablename__ = "data_keys"

    key_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    kek_id: Mapped[str] = mapped_column(String(40))
    # nonce || ciphertext; NULL once shredded, which destroys the key for good.
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    shredded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
