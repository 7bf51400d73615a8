"""Declarative bases: one for the enclave's tables, one for the linkage unit's.

The two roles keep separate tables (DESIGN.md, the separation principle). The
linkage unit's tables live on their own ``MetaData`` with the ``lu_`` prefix,
and :mod:`enclave.db.separation` refuses any enclave statement that names them.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

__all__ = ["MAX_ROW_ID", "Base", "LinkageUnitBase", "UtcDateTime", "utcnow"]

#: The largest id an ``Integer`` primary key holds on PostgreSQL (int4). A larger
#: number names no row; looking it up would fail in the driver, not find nothing.
MAX_ROW_ID = 2**31 - 1

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored naive-in-UTC and read back timezone-aware.

    SQLite has no time zones; storing UTC everywhere keeps both backends
    comparable and the audit chain's canonical form identical on both.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not accepted; use enclave.db.utcnow()")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        return None if value is None else value.replace(tzinfo=dt.UTC)


class Base(DeclarativeBase):
    """Base of the enclave's own tables."""

    metadata = MetaData(naming_convention=_NAMING)


class LinkageUnitBase(DeclarativeBase):
    """Base of the linkage unit's tables (prefix ``lu_``); the enclave never reads them."""

    metadata = MetaData(naming_convention=_NAMING)
