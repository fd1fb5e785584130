"""Sign-in is rate limited: guessing passwords quickly stops working."""

from __future__ import annotations

import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient

from service.ops.throttle import SharedThrottle, Throttle
from tests.support.web import PASSWORD, add_user, browser_like, sign_in

# Sign-in counting does not depend on the database or the blob store: one setup is enough.
ONE_SETUP = pytest.mark.parametrize(
    ("database_url", "blob_settings"), [("sqlite", "local")], indirect=True
)


def test_a_throttle_allows_the_limit_then_waits_out_the_window() -> None:
    throttle = Throttle(limit=3, window=60, address_limit=100)
    for second in range(3):
        assert throttle.attempt("alice", "10.0.0.1", now=second).wait == 0
    assert throttle.attempt("alice", "10.0.0.1", now=10).wait == 52  # refused, not counted
    assert throttle.attempt("bob", "10.0.0.1", now=10).wait == 0
    after = throttle.attempt("alice", "10.0.0.1", now=62.5)  # the wait is over
    assert after.wait == 0
    throttle.succeeded(after)
    assert throttle.attempt("alice", "10.0.0.1", now=63).wait == 0


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Throttle(limit=0, window=60, address_limit=50)
    with pytest.raises(ValueError, match="at least 1"):
        Throttle(limit=5, window=60, address_limit=0)


def test_too_many_wrong_passwords_lock_sign_in_for_that_user_even_with_the_right_one(
    app: Flask, client: FlaskClient
) -> None:
    add_user(app, "registrar", "viewer")
    browser_like(client)
    for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
        assert sign_in(client, "registrar", "wrong password!").status_code == 401
    locked = sign_in(client, "registrar", PASSWORD)
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    add_user(app, "curator", "viewer")
    assert sign_in(client, "curator", PASSWORD).status_code == 302  # others are not locked out


def test_a_shared_throttle_keeps_the_counts_in_redis(broker_url: str) -> None:
    client = redis.Redis.from_url(broker_url)
    throttle = SharedThrottle(client, limit=3, window=60, address_limit=100)
    for second in range(3):
        assert throttle.attempt("alice", "10.0.0.1", now=1000 + second).wait == 0
    assert throttle.attempt("alice", "10.0.0.1", now=1010).wait == 52
    assert throttle.attempt("bob", "10.0.0.1", now=1010).wait == 0
    after = throttle.attempt("alice", "10.0.0.1", now=1062.5)
    assert after.wait == 0
    # Redis forgets both counts by itself: the pair a day after its wait, the address after
    # the window.
    assert 0 < client.ttl(f"vitrine:throttle:{after.pair}") <= 24 * 3600 + 60
    assert 0 < client.ttl(f"vitrine:throttle:{after.network}") <= 61
    throttle.succeeded(after)
    assert not client.exists(f"vitrine:throttle:{after.pair}")
    assert client.zscore(f"vitrine:throttle:{after.network}", after.ticket) is None


def test_parallel_guesses_cannot_slip_under_the_shared_limit(broker_url: str) -> None:
    # Twenty attempts at once, as from a script: the count and the check are one step.
    throttle = SharedThrottle(
        redis.Redis.from_url(broker_url), limit=5, window=900, address_limit=50
    )
    with ThreadPoolExecutor(max_workers=20) as pool:
        waits = list(pool.map(lambda _: throttle.attempt("registrar", "203.0.113.9").wait,
                              range(20)))  # fmt: skip
    assert sorted(waits)[:5] == [0] * 5
    assert all(wait > 0 for wait in sorted(waits)[5:])


@ONE_SETUP
def test_a_long_username_is_one_short_key_in_redis(
    make_app: Callable[..., Flask], broker_url: str
) -> None:
    app = make_app(BROKER_URL=broker_url)
    client = browser_like(app.test_client())
    long = sign_in(client, "x" * 400_000, "wrong password!")
    assert long.status_code == 422  # over the longest username there can be: not even counted
    assert sign_in(client, "x" * 100, "wrong password!").status_code == 401
    keys = redis.Redis.from_url(broker_url).keys("vitrine:throttle:*")
    assert len(keys) == 2  # the username and address's count, and the address's
    assert all(len(key) == len("vitrine:throttle:") + 64 for key in keys)


@ONE_SETUP
def test_with_a_redis_broker_every_web_process_counts_the_same_failed_sign_ins(
    make_app: Callable[..., Flask], broker_url: str
) -> None:
    # Two apps stand for two gunicorn workers (or two hosts) behind one load balancer.
    first, second = make_app(BROKER_URL=broker_url), make_app(BROKER_URL=broker_url)
    add_user(first, "registrar", "viewer")
    clients = [browser_like(first.test_client()), browser_like(second.test_client())]
    limit = first.config["SIGN_IN_ATTEMPTS"]
    for attempt in range(limit):
        assert sign_in(clients[attempt % 2], "registrar", "wrong password!").status_code == 401
    for client in clients:
        locked = sign_in(client, "registrar", PASSWORD)
        assert locked.status_code == 429
        assert int(locked.headers["Retry-After"]) > 0


@ONE_SETUP
def test_a_redis_that_stops_answering_falls_back_to_counting_in_the_process(
    make_app: Callable[..., Flask], caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as probe:  # a port with nothing listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(BROKER_URL=f"redis://127.0.0.1:{port}/0")
    add_user(app, "registrar", "viewer")
    client = browser_like(app.test_client())
    assert sign_in(client, "registrar", PASSWORD).status_code == 302  # sign-in still works
    client = browser_like(app.test_client())
    for _ in range(app.config["SIGN_IN_ATTEMPTS"]):
        assert sign_in(client, "registrar", "wrong password!").status_code == 401
    assert sign_in(client, "registrar", PASSWORD).status_code == 429  # and is still limited
    assert "Redis unavailable" in caplog.text
