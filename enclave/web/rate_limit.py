"""Login rate limiting: attempts counted per account and client address, in the database.

Counting by the pair (not the account alone) keeps an attacker from locking a
steward out from elsewhere, while still stopping password guessing against one
account from one place. The window slides: attempts older than it are
forgotten (and deleted).

The count lives in the database (table ``login_failures``) because
``enclave serve`` runs several worker processes: a count kept in one
process's memory would let a guesser multiply the limit by spreading
attempts over workers.

An attempt is counted *before* the password is checked, under a lock on the
pair, and forgiven only when the login succeeds. So the check and the count
are one step: a burst of simultaneous guesses cannot all slip in under the
limit while each is still being checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from sqlalchemy import delete, func, select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from enclave.db import Database
from enclave.db.models import LoginFailure, utcnow

__all__ = ["LoginRateLimiter"]

#: Class id of the PostgreSQL advisory locks taken per pair (the audit chain uses 727274).
_PAIR_LOCK_CLASS = 727275


def _pair_digest(username: str, address: str) -> str:
    # A digest, not the text: the user name field sometimes holds a mistyped password.
    return hashlib.sha256(f"{username}\x00{address}".encode()).hexdigest()


class LoginRateLimiter:
    """Allow at most ``max_failures`` failed logins per (account, address) per window.

    Args:
        db: The enclave's database, shared by every worker process.
        max_failures: Failures allowed inside the window; the next attempt is refused.
        window_seconds: Length of the sliding window.
        clock: Source of the current time (tests pass a fake one).
    """

    def __init__(self, db: Database, max_failures: int = 5, window_seconds: int = 15 * 60,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.db = db
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock

    def _lock_pair(self, session: Session, digest: str) -> None:
        # SQLite transactions here begin IMMEDIATE and so are already one at a
        # time; PostgreSQL's READ COMMITTED needs a lock, or two attempts could
        # both count the same failures and both pass.
        if session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(bytes.fromhex(digest[:8]), "big", signed=True)
            session.execute(sql("SELECT pg_advisory_xact_lock(:cls, :key)"), {"cls": _PAIR_LOCK_CLASS, "key": key})

    def try_attempt(self, username: str, address: str) -> bool:
        """Count an attempt for the pair, or refuse it when the pair is over the limit.

        Runs in a transaction of its own, committed before it returns, so the
        count holds whatever the login then does. Call it while the request
        holds no database session (on SQLite it would wait for itself).

        Args:
            username: The user name as typed.
            address: The client's address.

        Returns:
            ``True`` when the attempt may go ahead (it is now counted as a
            failure until :meth:`reset`); ``False`` when it must be refused.
        """
        digest = _pair_digest(username, address)
        now = self._clock()
        horizon = now - dt.timedelta(seconds=self.window_seconds)
        with self.db.session() as session:
            self._lock_pair(session, digest)
            # Pruning here keeps the table to the attempts of one window.
            session.execute(delete(LoginFailure).where(LoginFailure.at <= horizon))
            recent = session.scalar(
                select(func.count()).select_from(LoginFailure)
                .where(LoginFailure.pair_digest == digest, LoginFailure.at > horizon)
            ) or 0
            if recent >= self.max_failures:
                return False
            session.add(LoginFailure(pair_digest=digest, at=now))
        return True

    def reset(self, session: Session, username: str, address: str) -> None:
        """Forgive the pair's attempts after a successful login, in the caller's transaction.

        Args:
            session: The request's session; the reset commits with the login.
            username: The user name as typed.
            address: The client's address.
        """
        session.execute(delete(LoginFailure).where(LoginFailure.pair_digest == _pair_digest(username, address)))
