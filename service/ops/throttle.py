"""Sign-in throttling that slows a guesser down without locking the real user out.

Two counts, never one per username alone (which would let anyone lock anyone out):

- **Per username and address**: after ``limit`` failed sign-ins for one username from one
  address, that pair waits ``window`` seconds; each further round of ``limit`` failures
  doubles the wait (15 min, 30 min, 1 h... up to a day). The count is forgotten a day after
  the last attempt, and at once by a successful sign-in.
- **Per address, across usernames**: at most ``address_limit`` attempts within ``window``
  seconds (a sliding window), which catches one password sprayed over many accounts.
  A successful sign-in takes its own attempt back out, never the others.

The real user, signing in from their own address, meets neither: the attacker's failures
count against the attacker's addresses only. An address is its IPv4 address, or its IPv6
/64 (one subscriber's network), so that rotating addresses within one network gains nothing.

An attempt is counted before the password is checked, in one atomic step with the check of
the counts, so that parallel guesses cannot all slip under the limit. Two keepers of the
counts, one interface: ``Throttle`` in the process's memory (each gunicorn worker counts on
its own) and ``SharedThrottle`` in Redis (every worker and host counts together: exact). The
app uses Redis when the broker is Redis; a Redis that stops answering falls back to the
process's count, rather than lock everybody out or let everybody through uncounted.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import logging
import math
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

import redis

log = logging.getLogger(__name__)

# After Redis fails, the shared throttle counts in the process for this long before trying
# Redis again: sign-in must not wait on a dead server's timeouts at every attempt.
REDIS_COOL_DOWN_SECONDS = 30.0
# The longest a username and address pair waits, however many rounds it failed.
MAX_WAIT_SECONDS = 24 * 3600.0
# A pair's failures are forgotten this long after its last attempt (beyond any wait).
PAIR_MEMORY_SECONDS = 24 * 3600.0
# The in-process counts are dropped whole past this many keys: memory stays bounded under a
# spraying attack (which the shared throttle, expiring in Redis, does not need).
MAX_LOCAL_KEYS = 100_000


@dataclass(frozen=True)
class Attempt:
    """One sign-in attempt: ``wait`` 0 when it was counted and may go ahead, else the seconds
    to wait (and it was not counted)."""

    wait: int
    pair: str  # the username and address's key
    network: str  # the address's key
    ticket: str  # this attempt's entry in the address's window


class SignInLimiter(Protocol):
    """What sign-in needs of a throttle, whether it counts in memory or in Redis."""

    limit: int
    window: float
    address_limit: int

    def attempt(self, username: str, address: str, now: float | None = None) -> Attempt:
        """Count an attempt, or say how long to wait (not counting it)."""

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt signed in: forget the pair's failures, take the attempt back out of
        the address's count."""


def network_of(address: str) -> str:
    """The address as throttled: an IPv4 address, or the /64 network of an IPv6 one."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address  # not an IP (a Unix socket peer, a test client): taken as it is
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def throttle_key(*parts: str) -> str:
    """A fixed-size key for untrusted parts (a username may be long): their SHA-256."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def keys_for(username: str, address: str) -> tuple[str, str]:
    """The pair's key and the address's key (distinct namespaces, so neither is the other)."""
    network = network_of(address)
    return throttle_key("pair", username, network), throttle_key("address", network)


def pair_wait_after(failures: int, limit: int, window: float) -> float:
    """Seconds the pair waits after its ``failures``-th failure: none until a round of
    ``limit`` is complete, then ``window`` doubled for each round before, at most a day."""
    if failures < limit or failures % limit:
        return 0.0
    rounds = failures // limit
    return min(MAX_WAIT_SECONDS, window * 2.0 ** min(rounds - 1, 32))


def window_wait(times: list[float], limit: int, window: float, now: float) -> float:
    """Seconds until fewer than ``limit`` of these attempt times are within the window."""
    recent = sorted(at for at in times if now - at < window)
    if len(recent) < limit:
        return 0.0
    return window - (now - recent[-limit])


def whole_seconds(wait: float) -> int:
    """A wait as the whole seconds a Retry-After header can carry (at least 1 if any)."""
    return max(1, math.ceil(wait)) if wait > 0 else 0


def _check_limits(limit: int, window: float, address_limit: int) -> None:
    if limit < 1 or address_limit < 1:
        raise ValueError("the limits must be at least 1")
    if window <= 0:
        raise ValueError("the window must be at least 1 second")


@dataclass
class _Pair:
    failures: int = 0
    waits_until: float = 0.0
    last: float = 0.0


@dataclass
class _Network:
    attempts: deque[tuple[float, str]] = field(default_factory=deque)


class Throttle:
    """The counts in this process's memory."""

    def __init__(self, limit: int, window: float, address_limit: int) -> None:
        _check_limits(limit, window, address_limit)
        self.limit = limit
        self.window = window
        self.address_limit = address_limit
        self._pairs: dict[str, _Pair] = {}
        self._networks: dict[str, _Network] = {}
        self._lock = threading.Lock()

    def attempt(self, username: str, address: str, now: float | None = None) -> Attempt:
        """Count an attempt by this username from this address, or say how long to wait."""
        pair_key, network_key = keys_for(username, address)
        return self.attempt_keys(pair_key, network_key, now)

    def attempt_keys(self, pair_key: str, network_key: str, now: float | None = None) -> Attempt:
        """Count an attempt by its pair and address keys (how the Redis throttle falls back)."""
        now = time.time() if now is None else now
        ticket = uuid.uuid4().hex
        with self._lock:
            if len(self._pairs) + len(self._networks) > MAX_LOCAL_KEYS:
                self._pairs, self._networks = {}, {}
            pair = self._pairs.get(pair_key)
            if pair is None or now - max(pair.last, pair.waits_until) > PAIR_MEMORY_SECONDS:
                pair = self._pairs[pair_key] = _Pair()
            network = self._networks.setdefault(network_key, _Network())
            while network.attempts and now - network.attempts[0][0] >= self.window:
                network.attempts.popleft()
            times = [at for at, _ in network.attempts]
            wait = max(
                pair.waits_until - now,
                window_wait(times, self.address_limit, self.window, now),
            )
            if wait > 0:
                return Attempt(whole_seconds(wait), pair_key, network_key, ticket)
            pair.failures += 1
            pair.last = now
            if pause := pair_wait_after(pair.failures, self.limit, self.window):
                pair.waits_until = now + pause
            network.attempts.append((now, ticket))
            return Attempt(0, pair_key, network_key, ticket)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt signed in: forget the pair's failures, take it out of the address's count."""
        with self._lock:
            self._pairs.pop(attempt.pair, None)
            network = self._networks.get(attempt.network)
            if network is not None:
                network.attempts = deque(e for e in network.attempts if e[1] != attempt.ticket)


# Both counts checked and, when neither says wait, both counted: one atomic step in Redis.
# KEYS: the pair's hash, the address's sorted set. ARGV: now, limit, window, address limit,
# ticket, longest wait, pair memory. Answers the seconds to wait ("0": counted).
_ATTEMPT_SCRIPT = """
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local address_limit, ticket = tonumber(ARGV[4]), ARGV[5]
local max_wait, memory = tonumber(ARGV[6]), tonumber(ARGV[7])
local waits_until = tonumber(redis.call('HGET', KEYS[1], 'waits_until') or '0')
local wait = waits_until - now
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[2])
if count >= address_limit then
  local edge = redis.call('ZRANGE', KEYS[2], count - address_limit, count - address_limit,
                          'WITHSCORES')
  local address_wait = tonumber(edge[2]) + window - now
  if address_wait > wait then wait = address_wait end
end
if wait > 0 then return tostring(wait) end
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
if failures % limit == 0 then
  local rounds = math.min(failures / limit - 1, 32)
  waits_until = now + math.min(max_wait, window * 2 ^ rounds)
  redis.call('HSET', KEYS[1], 'waits_until', tostring(waits_until))
end
redis.call('EXPIRE', KEYS[1], math.ceil(math.max(waits_until - now, 0) + memory))
redis.call('ZADD', KEYS[2], now, ticket)
redis.call('EXPIRE', KEYS[2], math.ceil(window) + 1)
return '0'
"""


class SharedThrottle:
    """The same counts kept in Redis: a hash per pair and a sorted set per address, expiring."""

    def __init__(
        self,
        client: redis.Redis,
        limit: int,
        window: float,
        address_limit: int,
        prefix: str = "vitrine:throttle:",
    ) -> None:
        _check_limits(limit, window, address_limit)
        self.limit = limit
        self.window = window
        self.address_limit = address_limit
        self._client = client
        self._prefix = prefix
        self._script = client.register_script(_ATTEMPT_SCRIPT)
        self._fallback = Throttle(limit, window, address_limit)
        self._redis_down_until = 0.0

    def attempt(self, username: str, address: str, now: float | None = None) -> Attempt:
        """Count an attempt in Redis, or say how long to wait; in memory while Redis is down."""
        pair_key, network_key = keys_for(username, address)
        if time.monotonic() < self._redis_down_until:
            return self._fallback.attempt_keys(pair_key, network_key, now)
        now = time.time() if now is None else now  # wall time: shared by every host
        ticket = uuid.uuid4().hex
        keys = [self._prefix + pair_key, self._prefix + network_key]
        args: list[str | int] = [
            repr(now), self.limit, repr(float(self.window)), self.address_limit, ticket,
            repr(MAX_WAIT_SECONDS), repr(PAIR_MEMORY_SECONDS),
        ]  # fmt: skip
        try:
            wait = float(self._script(keys=keys, args=args))
        except redis.RedisError as error:
            self._redis_down_until = time.monotonic() + REDIS_COOL_DOWN_SECONDS
            log.warning(
                "sign-in throttle: Redis unavailable (%s); counting in this process for %.0f s",
                error,
                REDIS_COOL_DOWN_SECONDS,
            )
            return self._fallback.attempt_keys(pair_key, network_key, now)
        return Attempt(whole_seconds(wait), pair_key, network_key, ticket)

    def succeeded(self, attempt: Attempt) -> None:
        """The attempt signed in: forget it in Redis (if it answers) and in the process."""
        # When Redis does not answer, the counts expire by themselves.
        with contextlib.suppress(redis.RedisError), self._client.pipeline() as pipe:
            pipe.delete(self._prefix + attempt.pair)
            pipe.zrem(self._prefix + attempt.network, attempt.ticket)
            pipe.execute()
        self._fallback.succeeded(attempt)
