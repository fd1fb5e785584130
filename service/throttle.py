"""A sliding-window limit on failed attempts, such as sign-ins, per key (username and address).

Two keepers of the count, one interface: ``Throttle`` in the process's memory (each gunicorn
worker counts on its own, so the effective limit is the limit times the workers) and
``SharedThrottle`` in Redis (every worker and host counts together, so the limit is exact).
The app uses Redis when the broker is Redis; a Redis that stops answering falls back to the
process's count rather than lock everybody out or let everybody through uncounted.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from collections import deque
from typing import Protocol

import redis

log = logging.getLogger(__name__)


class Limiter(Protocol):
    limit: int
    window: float

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may try now."""

    def fail(self, key: str) -> None: ...

    def forget(self, key: str) -> None: ...


def wait_for(failures: list[float], limit: int, window: float, now: float) -> int:
    """Seconds to wait after these failure times (oldest first) under the limit; 0 if none."""
    recent = [at for at in failures if now - at < window]
    if len(recent) < limit:
        return 0
    return max(1, int(window - (now - recent[-limit])) + 1)


class Throttle:
    """Allow at most ``limit`` failures per key within ``window`` seconds, in this process."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(key)
            if not failures:
                return 0
            while failures and now - failures[0] >= self.window:
                failures.popleft()
            return wait_for(list(failures), self.limit, self.window, now)

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 100_000:  # bound memory under a spraying attack
                self._failures.clear()

    def forget(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


class SharedThrottle:
    """The same limit kept in Redis: one sorted set of failure times per key, expiring."""

    def __init__(
        self, client: redis.Redis, limit: int, window: float, prefix: str = "vitrine:throttle:"
    ) -> None:
        self.limit = limit
        self.window = window
        self._client = client
        self._prefix = prefix
        self._fallback = Throttle(limit, window)

    def _key(self, key: str) -> str:
        return self._prefix + key

    def retry_after(self, key: str, now: float | None = None) -> int:
        now = time.time() if now is None else now  # wall time: shared by every host
        try:
            with self._client.pipeline() as pipe:
                pipe.zremrangebyscore(self._key(key), "-inf", now - self.window)
                pipe.zrange(self._key(key), 0, -1, withscores=True)
                _, entries = pipe.execute()
        except redis.RedisError as error:
            log.warning("sign-in throttle: Redis unavailable (%s); counting in this process", error)
            return self._fallback.retry_after(key)
        return wait_for([score for _, score in entries], self.limit, self.window, now)

    def fail(self, key: str, now: float | None = None) -> None:
        now = time.time() if now is None else now
        try:
            with self._client.pipeline() as pipe:
                pipe.zadd(self._key(key), {uuid.uuid4().hex: now})
                pipe.expire(self._key(key), int(self.window) + 1)
                pipe.execute()
        except redis.RedisError:
            self._fallback.fail(key)

    def forget(self, key: str) -> None:
        with contextlib.suppress(redis.RedisError):  # the failures expire with the window
            self._client.delete(self._key(key))
        self._fallback.forget(key)
