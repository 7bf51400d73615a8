"""Login rate limiting: failures counted per account and client address.

Counting by the pair (not the account alone) keeps an attacker from locking a
steward out from elsewhere, while still stopping password guessing against one
account from one place. The window slides: failures older than it are
forgotten. Counts live in memory, per process — a restart forgives, which is
acceptable for a service that runs as one process on one machine.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable

__all__ = ["LoginRateLimiter"]


class LoginRateLimiter:
    """Allow at most ``max_failures`` failed logins per (account, address) per window.

    Args:
        max_failures: Failures allowed inside the window; the next attempt is refused.
        window_seconds: Length of the sliding window.
        clock: Source of the time in seconds (tests pass a fake one).
    """

    def __init__(self, max_failures: int = 5, window_seconds: int = 15 * 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: tuple[str, str]) -> deque[float]:
        stamps = self._failures[key]
        horizon = self._clock() - self.window_seconds
        while stamps and stamps[0] <= horizon:
            stamps.popleft()
        return stamps

    def is_blocked(self, username: str, address: str) -> bool:
        """Whether the next attempt for this pair must be refused."""
        with self._lock:
            return len(self._prune((username, address))) >= self.max_failures

    def record_failure(self, username: str, address: str) -> int:
        """Count a failed attempt; return the failures now inside the window."""
        with self._lock:
            stamps = self._prune((username, address))
            stamps.append(self._clock())
            return len(stamps)

    def reset(self, username: str, address: str) -> None:
        """Forget the pair's failures after a successful login."""
        with self._lock:
            self._failures.pop((username, address), None)
