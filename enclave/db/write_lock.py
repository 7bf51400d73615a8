"""One writer at a time on a SQLite file, handed over promptly between processes.

Every enclave transaction on SQLite begins ``IMMEDIATE`` and so holds the
file's write lock until it ends. When several processes (gunicorn's workers,
the CLI, the hub) wait for that lock, SQLite's own busy handler sleeps
between tries, up to 100 ms at a time, and the lock sits free while the
waiters sleep: under load a request can lose many such rounds in a row.

:class:`WriteLock` queues writers before SQLite sees them: threads of one
process queue on a ``threading.Lock`` (handed over at once), and the one
thread per process at the head of that queue takes an ``flock`` on a file
beside the database, polling every few milliseconds. Both waits are bounded;
past the bound the transaction begins anyway and SQLite's busy timeout
decides, as it would without this lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path

__all__ = ["WriteLock"]

#: Longest pause between two tries of the file lock, in seconds.
_MAX_POLL = 0.005


class WriteLock:
    """A lock shared by every connection that writes to one SQLite file.

    Args:
        database: Path of the SQLite file; the lock file is ``<file>-writer``.
        timeout: Seconds to wait before letting the transaction begin without the lock.
    """

    _shared: dict[Path, WriteLock] = {}
    _shared_guard = threading.Lock()

    @classmethod
    def for_database(cls, database: Path, timeout: float = 30.0) -> WriteLock:
        """The lock of ``database`` in this process, shared by all its engines.

        Sharing it lets a thread that already writes through one engine be
        recognised when it asks again through another.
        """
        key = database.resolve()
        with cls._shared_guard:
            if key not in cls._shared:
                cls._shared[key] = cls(key, timeout)
            return cls._shared[key]

    def __init__(self, database: Path, timeout: float = 30.0) -> None:
        self.path = database.with_name(database.name + "-writer")
        self.timeout = timeout
        self._threads = threading.Lock()
        self._holder: int | None = None
        self._fd: int | None = None

    def acquire(self) -> bool:
        """Wait for this process's turn, then for the file's.

        Returns:
            Whether the lock is now held (and must be released); ``False``
            after a timeout, or when this thread already holds it through
            another connection (a request with two sessions, which SQLite's
            busy timeout then reports instead of a silent deadlock).
        """
        if self._holder == threading.get_ident():
            return False
        deadline = time.monotonic() + self.timeout
        if not self._threads.acquire(timeout=self.timeout):
            return False
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            self._threads.release()
            return False
        pause = 0.0005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    self._threads.release()
                    return False
                time.sleep(pause)
                pause = min(pause * 2, _MAX_POLL)
        self._fd, self._holder = fd, threading.get_ident()
        return True

    def release(self) -> None:
        """Let the next writer in; call once for each successful :meth:`acquire`."""
        fd, self._fd, self._holder = self._fd, None, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock
        self._threads.release()
