"""Sign-in is rate limited: guessing passwords quickly stops working."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from service.throttle import Throttle
from tests.web_support import PASSWORD, add_user, browser_like, sign_in


def test_a_throttle_allows_the_limit_then_waits_out_the_window() -> None:
    throttle = Throttle(limit=3, window=60)
    for second in range(3):
        assert throttle.retry_after("alice", now=second) == 0
        throttle.fail("alice", now=second)
    assert throttle.retry_after("alice", now=10) == 51
    assert throttle.retry_after("bob", now=10) == 0
    assert throttle.retry_after("alice", now=60.5) == 0  # the oldest failure left the window
    throttle.forget("alice")
    assert throttle.retry_after("alice", now=11) == 0


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
