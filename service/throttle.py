"""A sliding-window limit on attempts, such as sign-ins, per key (username and address).

An attempt is counted before the password is checked, in one atomic step with the check of
the count, so that parallel guesses cannot all slip under the limit; a success clears the key.
Two keepers of the count, one interface: ``Throttle`` in the process's memory (each gunicorn
worker counts on its own, so the effective limit is the limit times the workers) and
``SharedThrottle`` in Redis (every worker and host counts together, so the limit is exact).
The app uses Redis when the broker is Redis; a Redis that stops answering falls back to the
process's count, rather than lock everybody out or let everybody through uncounted.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
import time
import uuid
from collections import deque
from typing import Protocol

import redis

log = logging.getLogger(__name__)

# After Redis fails, the shared throttle counts in the process for this long before trying
# Redis again: sign-in must not wait on a dead server's timeouts at every attempt.
REDIS_COOL_DOWN_SECONDS = 30.0


class Limiter(Protocol):
    limit: int
    window: float

    def attempt(self, key: str) -> int:
        """Count an attempt; 0 if it may go ahead, else the seconds to wait (not counted)."""

    def forget(self, key: str) -> None:
        """Clear the key's attempts (after a success)."""


def throttle_key(*parts: str) -> str:
    """A fixed-size key for untrusted parts (a username may be long): their SHA-256."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def wait_for(attempts: list[float], limit: int, window: float, now: float) -> int:
    """Seconds until fewer than ``limit`` of these attempt times are within the window."""
    recent = sorted(at for at in attempts if now - at < window)
    if len(recent) < limit:
        return 0
    return max(1, int(window - (now - recent[-limit])) + 1)


class Throttle:
    """Allow at most ``limit`` attempts per key within ``window`` seconds, in this process."""

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self.limit = limit
        self.window = window
        self._attempts: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def attempt(self, key: str, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        with self._lock:
            attempts = self._attempts.setdefault(key, deque())
            while attempts and now - attempts[0] >= self.window:
                attempts.popleft()
            wait = wait_for(list(attempts), self.limit, self.window, now)
            if not wait:
                attempts.append(now)
            if len(self._attempts) > 100_000:  # bound memory under a spraying attack
                self._attempts = {key: attempts}
            return wait

    def forget(self, key: str) -> None:
        with self._lock:
            self._attempts.pop(key, None)


class SharedThrottle:
    """The same limit kept in Redis: one sorted set of attempt times per key, expiring."""

    def __init__(
        self, client: redis.Redis, limit: int, window: float, prefix: str = "vitrine:throttle:"
    ) -> None:
        if limit < 1:
            raise ValueError("the limit must be at least 1")
        self.limit = limit
        self.window = window
        self._client = client
        self._prefix = prefix
        self._fallback = Throttle(limit, window)
        self._redis_down_until = 0.0

    def attempt(self, key: str, now: float | None = None) -> int:
        if time.monotonic() < self._redis_down_until:
            return self._fallback.attempt(key)
        now = time.time() if now is None else now  # wall time: shared by every host
        name, member = self._prefix + key, uuid.uuid4().hex
        try:
            # One transaction: drop what left the window, add this attempt, read them all.
            with self._client.pipeline(transaction=True) as pipe:
                pipe.zremrangebyscore(name, "-inf", now - self.window)
                pipe.zadd(name, {member: now})
                pipe.expire(name, int(self.window) + 1)
                pipe.zrange(name, 0, -1, withscores=True)
                entries = pipe.execute()[-1]
            earlier = [score for entry, score in entries if entry.decode() != member]
            wait = wait_for(earlier, self.limit, self.window, now)
            if wait:  # refused attempts are not counted
                self._client.zrem(name, member)
            return wait
        except redis.RedisError as error:
            self._redis_down_until = time.monotonic() + REDIS_COOL_DOWN_SECONDS
            log.warning(
                "sign-in throttle: Redis unavailable (%s); counting in this process for %.0f s",
                error,
                REDIS_COOL_DOWN_SECONDS,
            )
            return self._fallback.attempt(key)

    def forget(self, key: str) -> None:
        with contextlib.suppress(redis.RedisError):  # the attempts expire with the window
            self._client.delete(self._prefix + key)
        self._fallback.forget(key)
