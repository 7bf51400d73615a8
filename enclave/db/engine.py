"""Engines and sessions for the enclave's database."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from enclave.db.write_lock import WriteLock
from enclave.errors import DatabaseUnreachable
from enclave.messages import text
from enclave.settings import mask_url

__all__ = ["Database", "make_engine"]

#: Seconds a SQLite writer waits for its turn before the transaction fails as locked.
_BUSY_TIMEOUT = 30.0


class _SqliteConnection(sqlite3.Connection):
    """A SQLite connection that holds its file's :class:`WriteLock` for the length of a transaction."""

    write_lock: WriteLock | None = None
    holds_write_lock = False

    def take_write_lock(self) -> None:
        if self.write_lock is not None and not self.holds_write_lock:
            self.holds_write_lock = self.write_lock.acquire()

    def let_go_of_write_lock(self) -> None:
        if self.holds_write_lock and self.write_lock is not None:
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.let_go_of_write_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.let_go_of_write_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.let_go_of_write_lock()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings each backend needs.

    SQLite gets foreign keys switched on, WAL, a busy timeout and a
    :class:`WriteLock` that queues writers, so the service's worker
    processes, the hub and the CLI can share one file; its folder is created.
    """
    if url.startswith("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        database.parent.mkdir(parents=True, exist_ok=True)
        write_lock = WriteLock.for_database(database, timeout=_BUSY_TIMEOUT)
        engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT, "factory": _SqliteConnection})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
            # The driver's own implicit BEGIN is switched off so that ours,
            # IMMEDIATE, takes the write lock up front: two writers reading the
            # audit chain's head can then never both append after it.
            dbapi_connection.isolation_level = None
            dbapi_connection.write_lock = write_lock
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            dbapi_connection = conn.connection.dbapi_connection
            dbapi_connection.take_write_lock()
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            except BaseException:
                dbapi_connection.let_go_of_write_lock()
                raise

        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """The enclave's database: an engine and a session factory.

    Args:
        url: SQLAlchemy URL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """The backend's name: ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def check_reachable(self) -> None:
        """Raise :class:`DatabaseUnreachable` with a usable message when down."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sql("SELECT 1"))
        except OperationalError:
            raise DatabaseUnreachable(text("db.unreachable", url=mask_url(self.url))) from None

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self._sessions() as session, session.begin():
            yield session

    def new_session(self) -> Session:
        """A session the caller manages (for request-scoped use in the web app)."""
        return self._sessions()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
