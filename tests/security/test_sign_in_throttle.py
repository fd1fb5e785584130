"""Issue 11, abuse: sign-in throttling cannot be turned into a lockout. Failures count per
username and address (with waits that grow round after round) and per address across
usernames; never per username alone. In the process's memory and in Redis alike."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
import redis
from flask import Flask

from service.ops import throttle as throttles
from tests.support.web import PASSWORD, add_user, browser_like, csrf

if TYPE_CHECKING:
    from service.ops.throttle import SignInLimiter

DAY = 24 * 3600


@pytest.fixture(params=["memory", "redis"])
def make_throttle(request: pytest.FixtureRequest) -> Iterator[Callable[..., SignInLimiter]]:
    def make(limit: int = 3, window: float = 60, address_limit: int = 1000) -> SignInLimiter:
        if request.param == "memory":
            return throttles.Throttle(limit, window, address_limit)
        client = redis.Redis.from_url(request.getfixturevalue("broker_url"))
        return throttles.SharedThrottle(client, limit, window, address_limit)

    yield make


def fail_until_refused(throttle: SignInLimiter, user: str, address: str, now: float) -> int:
    """Fail (count) attempts at ``now`` until one is refused; answers that wait."""
    for _ in range(1000):
        attempt = throttle.attempt(user, address, now=now)
        if attempt.wait:
            return attempt.wait
    raise AssertionError("never refused")


def test_waits_grow_round_after_round_up_to_a_day(
    make_throttle: Callable[..., SignInLimiter],
) -> None:
    throttle = make_throttle(limit=3, window=60)
    now, waits = 1_000_000.0, []
    for _ in range(14):
        wait = fail_until_refused(throttle, "alice", "198.51.100.7", now)
        waits.append(wait)
        now += wait  # back when the wait is over: the next round
    assert waits[:6] == [60, 120, 240, 480, 960, 1920]
    assert waits[-1] == DAY
    # A success ends it: the next failure starts from the first round again.
    good = throttle.attempt("alice", "198.51.100.7", now=now)
    assert good.wait == 0
    throttle.succeeded(good)
    assert fail_until_refused(throttle, "alice", "198.51.100.7", now) == 60


def test_a_round_of_failures_is_forgotten_a_day_after_the_last(
    make_throttle: Callable[..., SignInLimiter], request: pytest.FixtureRequest
) -> None:
    throttle = make_throttle(limit=3, window=60)
    now = 2_000_000.0
    for _ in range(2):
        first = throttle.attempt("alice", "198.51.100.7", now=now)
        assert first.wait == 0
    if isinstance(throttle, throttles.SharedThrottle):  # Redis expires the count by its own clock
        ttl = redis.Redis.from_url(request.getfixturevalue("broker_url")).ttl(
            f"vitrine:throttle:{first.pair}"
        )
        assert DAY - 60 < ttl <= DAY
        return
    now += DAY + 1
    for _ in range(2):  # two more, but the first two were forgotten: no wait yet
        assert throttle.attempt("alice", "198.51.100.7", now=now).wait == 0


def test_an_attackers_failures_from_many_addresses_never_lock_the_user_out(
    make_throttle: Callable[..., SignInLimiter],
) -> None:
    throttle = make_throttle(limit=3, window=900, address_limit=20)
    now = 3_000_000.0
    for host in range(1, 60):  # 59 addresses, each until refused
        fail_until_refused(throttle, "alice", f"198.51.100.{host}", now)
    for spelling in ("alice", "ALICE"):  # (the view folds case before it counts)
        assert throttle.attempt(spelling.casefold(), "192.0.2.10", now=now).wait == 0


def test_one_address_trying_many_usernames_is_stopped_and_others_are_not(
    make_throttle: Callable[..., SignInLimiter],
) -> None:
    throttle = make_throttle(limit=5, window=900, address_limit=10)
    now = 4_000_000.0
    for number in range(10):  # one guess per username: under every username's limit
        assert throttle.attempt(f"user{number}", "203.0.113.9", now=now + number).wait == 0
    sprayed = throttle.attempt("user99", "203.0.113.9", now=now + 10)
    assert sprayed.wait == 900 - 10  # until the oldest of the ten leaves the window
    assert throttle.attempt("user99", "192.0.2.10", now=now + 10).wait == 0
    assert throttle.attempt("user99", "203.0.113.9", now=now + 900).wait == 0  # window moved


def test_an_ipv6_address_counts_as_its_64_network(
    make_throttle: Callable[..., SignInLimiter],
) -> None:
    throttle = make_throttle(limit=5, window=900, address_limit=4)
    now = 5_000_000.0
    for host in range(4):  # four addresses of one /64, as one subscriber may rotate through
        assert throttle.attempt(f"u{host}", f"2001:db8:1:2::{host + 1:x}", now=now).wait == 0
    assert throttle.attempt("u9", "2001:db8:1:2:ffff::9", now=now).wait > 0
    assert throttle.attempt("u9", "2001:db8:1:3::1", now=now).wait == 0  # another /64
    assert throttle.attempt("u9", "::ffff:198.51.100.7", now=now).wait == 0  # IPv4 as v6


def test_a_success_takes_only_its_own_attempt_back_from_the_address(
    make_throttle: Callable[..., SignInLimiter],
) -> None:
    throttle = make_throttle(limit=5, window=900, address_limit=3)
    now = 6_000_000.0
    assert throttle.attempt("mallory", "203.0.113.9", now=now).wait == 0
    assert throttle.attempt("mallory2", "203.0.113.9", now=now).wait == 0
    mine = throttle.attempt("registrar", "203.0.113.9", now=now)
    throttle.succeeded(mine)  # a real sign-in from that address frees one place, no more
    assert throttle.attempt("mallory3", "203.0.113.9", now=now).wait == 0
    assert throttle.attempt("mallory4", "203.0.113.9", now=now).wait > 0


# ---------------------------------------------------------------- through the sign-in page


def sign_in_from(app: Flask, address: str, username: str, password: str) -> int:
    client = browser_like(app.test_client())
    client.environ_base["REMOTE_ADDR"] = address
    token = csrf(client)
    data = {"username": username, "password": password, "csrf_token": token}
    return client.post("/login", data=data).status_code


@pytest.mark.parametrize(("database_url", "blob_settings"), [("sqlite", "local")], indirect=True)
@pytest.mark.parametrize("shared", [False, True], ids=["memory", "redis"])
def test_the_real_user_signs_in_from_their_address_while_an_attacker_is_refused(
    make_app: Callable[..., Flask], request: pytest.FixtureRequest, shared: bool
) -> None:
    broker = request.getfixturevalue("broker_url") if shared else None
    app = make_app(BROKER_URL=broker, SIGN_IN_ADDRESS_ATTEMPTS=8)
    add_user(app, "registrar", "viewer")
    for host in (7, 8):
        statuses = [sign_in_from(app, f"198.51.100.{host}", "registrar", "wrong password!")
                    for _ in range(app.config["SIGN_IN_ATTEMPTS"] + 2)]  # fmt: skip
        assert statuses[-1] == 429
    assert sign_in_from(app, "198.51.100.7", "registrar", PASSWORD) == 429  # the attacker's
    assert sign_in_from(app, "192.0.2.10", "registrar", PASSWORD) == 302  # the user's own
    # Spraying from one address: one guess per username, stopped by the address's count.
    add_user(app, "curator", "viewer")
    statuses = [sign_in_from(app, "203.0.113.9", f"guess{n}", "wrong password!")
                for n in range(8)]  # fmt: skip
    assert statuses == [401] * 8
    assert sign_in_from(app, "203.0.113.9", "curator", PASSWORD) == 429
    assert sign_in_from(app, "192.0.2.11", "curator", PASSWORD) == 302
