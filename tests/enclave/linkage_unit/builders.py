"""Builders for the linkage-unit service tests: free ports and a second PostgreSQL database."""

from __future__ import annotations

import socket

from sqlalchemy import create_engine
from sqlalchemy import text as sql
from sqlalchemy.engine import make_url

__all__ = ["free_port", "second_postgres_database"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def second_postgres_database(url: str, *, empty_first: bool = False) -> str:
    """Empty a second PostgreSQL database beside the suite's (``<name>_2``, created if needed).

    The linkage unit's database must be another database than the enclave's,
    as it would be on another machine. ``empty_first`` empties the suite's
    database too (for a deployment that does not use the ``svc`` fixture).

    Returns:
        The second database's URL.
    """
    parsed = make_url(url)
    second = parsed.set(database=f"{parsed.database}_2")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if conn.scalar(sql("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": second.database}) is None:
            conn.execute(sql(f'CREATE DATABASE "{second.database}"'))
    admin.dispose()
    for target in (parsed, second) if empty_first else (second,):
        engine = create_engine(target)
        with engine.begin() as conn:
            conn.execute(sql("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(sql("CREATE SCHEMA public"))
        engine.dispose()
    return second.render_as_string(hide_password=False)
