"""The login rate limiter's count in the database: one step for check and count, a sliding window."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select

from enclave.db.models import LoginFailure, utcnow
from enclave.service import EnclaveService
from enclave.web.rate_limit import LoginRateLimiter


def _rows(svc: EnclaveService) -> int:
    with svc.session() as session:
        return session.scalar(select(func.count()).select_from(LoginFailure)) or 0


def test_simultaneous_attempts_never_pass_the_limit_together(svc: EnclaveService) -> None:
    limiter = LoginRateLimiter(svc.db, max_failures=5)
    allowed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(12)

    def attempt() -> None:
        start.wait()
        outcome = limiter.try_attempt("rita", "203.0.113.9")
        with lock:
            allowed.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 7 + [True] * 5
    assert _rows(svc) == 5


def test_pairs_are_counted_apart_and_a_reset_forgives_one_pair_only(svc: EnclaveService) -> None:
    limiter = LoginRateLimiter(svc.db, max_failures=2)
    assert limiter.try_attempt("rita", "198.51.100.1") and limiter.try_attempt("rita", "198.51.100.1")
    assert not limiter.try_attempt("rita", "198.51.100.1")
    assert limiter.try_attempt("rita", "198.51.100.2")
    assert limiter.try_attempt("oscar", "198.51.100.1")
    with svc.session() as session:
        limiter.reset(session, "rita", "198.51.100.1")
    assert limiter.try_attempt("rita", "198.51.100.1")
    assert _rows(svc) == 3


def test_attempts_older_than_the_window_are_forgotten_and_deleted(svc: EnclaveService) -> None:
    now = [utcnow()]
    limiter = LoginRateLimiter(svc.db, max_failures=2, window_seconds=60, clock=lambda: now[0])
    assert limiter.try_attempt("rita", "192.0.2.7") and limiter.try_attempt("rita", "192.0.2.7")
    assert not limiter.try_attempt("rita", "192.0.2.7")
    now[0] += dt.timedelta(seconds=61)
    assert limiter.try_attempt("rita", "192.0.2.7")
    assert _rows(svc) == 1


def test_the_table_holds_no_typed_user_name(svc: EnclaveService) -> None:
    LoginRateLimiter(svc.db).try_attempt("my-password-typed-here", "192.0.2.8")
    with svc.session() as session:
        stored = session.scalars(select(LoginFailure.pair_digest)).all()
    assert len(stored) == 1 and "my-password" not in stored[0] and len(stored[0]) == 64
