"""Engines and sessions for the enclave's database."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import text as sql
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from enclave.errors import DatabaseUnreachable
from enclave.messages import text
from enclave.settings import mask_url

__all__ = ["Database", "make_engine"]


def make_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings each backend needs.

    SQLite gets foreign keys switched on and a busy timeout so the service,
    the hub and the CLI can share one file; its folder is created.
    """
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, connection_record):  # type: ignore[no-untyped-def]
            # The driver's own implicit BEGIN is switched off so that ours,
            # IMMEDIATE, takes the write lock up front: two writers reading the
            # audit chain's head can then never both append after it.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

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
