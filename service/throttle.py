"""A sliding-window limit on failed attempts, such as sign-ins, per key (username and address).

Kept in the process's memory: each gunicorn worker counts on its own, so the effective limit
is this one times the number of workers. That still turns a password-guessing run from
thousands of tries a minute into a handful; a shared store (Redis) would make it exact.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class Throttle:
    """Allow at most ``limit`` failures per key within ``window`` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(key)
            if not failures:
                return 0
            while failures and now - failures[0] >= self.window:
                failures.popleft()
            if len(failures) < self.limit:
                return 0
            return max(1, int(self.window - (now - failures[0])) + 1)

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spraying attack
                self._failures.clear()

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
