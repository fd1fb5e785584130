"""Issue 11, sessions: the cookie names a user and a session version, checked against the
database on every request. Sign-out, a new password, a new role or disabling a user ends
every cookie issued before; a forged or stale cookie is a visitor signed out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service.http import database as db
from service.services import accounts as auth
from service.storage.models import User
from tests.support.web import PASSWORD, add_user, browser_like, csrf, signed_in

NEW_PASSWORD = "a new and longer passphrase"

# Sessions live in the database (SQLite and PostgreSQL); the blob store plays no part.
pytestmark = pytest.mark.parametrize("blob_settings", ["local"], indirect=True)


@pytest.fixture
def web(client: FlaskClient) -> FlaskClient:
    return browser_like(client)


def copy_of_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """A second browser holding the same cookie (another device, or a stolen cookie)."""
    other = browser_like(app.test_client())
    cookie = client.get_cookie("session")
    assert cookie is not None
    other.set_cookie("session", cookie.value)
    return other


def is_signed_out(response: Any) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def cookie_cleared(response: Any) -> bool:
    return any(
        header.startswith("session=;") and "Expires=Thu, 01 Jan 1970" in header
        for header in response.headers.getlist("Set-Cookie")
    )


def user_row(app: Flask, username: str) -> tuple[int, int]:
    with app.app_context(), db.new_session() as session:
        user = auth.find_user(session, username)
        return user.id, user.session_version


def test_signing_out_ends_the_cookie_everywhere_it_was_copied(app: Flask, web: FlaskClient) -> None:
    add_user(app, "registrar", "contributor")
    token = signed_in(web, "registrar")
    other = copy_of_session(app, web)
    assert other.get("/library").status_code == 200
    assert web.post("/logout", data={"csrf_token": token}).status_code == 302
    stale = other.get("/library")
    assert is_signed_out(stale)
    assert cookie_cleared(stale)


CLI_CHANGES: dict[str, tuple[list[str], str | None]] = {
    "password": (["users", "passwd", "registrar", "--password-stdin"], NEW_PASSWORD + "\n"),
    "role": (["users", "role", "registrar", "viewer"], None),
    "disable": (["users", "disable", "registrar"], None),
}


@pytest.mark.parametrize("change", CLI_CHANGES)
def test_a_new_password_a_new_role_or_disabling_ends_the_users_sessions_at_once(
    app: Flask, web: FlaskClient, runner: Any, change: str
) -> None:
    add_user(app, "registrar", "rights")
    add_user(app, "curator", "rights")
    signed_in(web, "registrar")
    bystander = browser_like(app.test_client())
    signed_in(bystander, "curator")
    version = user_row(app, "registrar")[1]
    args, stdin = CLI_CHANGES[change]
    done = runner.invoke(args=args, input=stdin)
    assert done.exit_code == 0, done.output
    assert user_row(app, "registrar")[1] == version + 1
    assert is_signed_out(web.get("/library"))
    assert bystander.get("/library").status_code == 200  # nobody else is signed out
    if change == "password":
        relogin = browser_like(app.test_client())
        token = csrf(relogin)
        old = relogin.post(
            "/login", data={"username": "registrar", "password": PASSWORD, "csrf_token": token}
        )
        assert old.status_code == 401
        new = relogin.post(
            "/login",
            data={"username": "registrar", "password": NEW_PASSWORD, "csrf_token": token},
        )
        assert new.status_code == 302


def test_the_user_commands_refuse_unknown_users_and_short_passwords(
    app: Flask, runner: Any
) -> None:
    add_user(app, "registrar", "viewer")
    for args, stdin in (
        (["users", "role", "nobody", "admin"], None),
        (["users", "disable", "nobody"], None),
        (["users", "passwd", "nobody", "--password-stdin"], NEW_PASSWORD + "\n"),
        (["users", "passwd", "registrar", "--password-stdin"], "short\n"),
    ):
        done = runner.invoke(args=args, input=stdin)
        assert done.exit_code != 0, args
    assert "registrar\tviewer\tactive" in runner.invoke(args=["users", "list"]).output
    runner.invoke(args=["users", "disable", "registrar"])
    assert "registrar\tviewer\tdisabled" in runner.invoke(args=["users", "list"]).output
    runner.invoke(args=["users", "enable", "registrar"])
    assert signed_in(browser_like(app.test_client()), "registrar")


def forged(app: Flask, payload: dict[str, Any]) -> str:
    """A session cookie signed with the app's own key: what an attacker holding an old
    cookie, or the key, could send."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    value: str = serializer.dumps(payload)
    return value


def user_cookie(app: Flask, username: str, **changes: Any) -> dict[str, Any]:
    user_id, version = user_row(app, username)
    return {"user": {"id": user_id, "v": version, **changes}, "csrf": "x"}


Forgery = Callable[[Flask], dict[str, Any]]
STALE_OR_FORGED: dict[str, Forgery] = {
    # The shape older releases wrote, naming a role: never believed again.
    "name-and-role": lambda app: {"user": {"name": "viewer1", "role": "admin"}},
    "user-gone": lambda app: {"user": {"id": 987_654, "v": 1}},
    "old-version": lambda app: user_cookie(app, "viewer1", v=user_row(app, "viewer1")[1] - 1),
    "future-version": lambda app: user_cookie(app, "viewer1", v=user_row(app, "viewer1")[1] + 5),
    "id-as-text": lambda app: {"user": {"id": str(user_row(app, "viewer1")[0]), "v": 1}},
    "not-a-dict": lambda app: {"user": "viewer1"},
}


@pytest.mark.parametrize("kind", STALE_OR_FORGED)
def test_a_forged_or_stale_cookie_is_a_visitor_signed_out_and_the_cookie_cleared(
    app: Flask, web: FlaskClient, kind: str
) -> None:
    add_user(app, "viewer1", "viewer")
    with app.app_context(), db.new_session() as session:  # a version above the first
        auth.end_sessions(auth.find_user(session, "viewer1"))
        session.commit()
    web.set_cookie("session", forged(app, STALE_OR_FORGED[kind](app)))
    response = web.get("/library")
    assert is_signed_out(response)
    assert cookie_cleared(response)


def test_the_role_of_a_request_is_the_databases_not_the_cookies(
    app: Flask, web: FlaskClient
) -> None:
    add_user(app, "viewer1", "viewer")
    web.set_cookie("session", forged(app, user_cookie(app, "viewer1", role="admin")))
    assert web.get("/library").status_code == 200  # a good cookie: signed in...
    assert web.get("/upload").status_code == 403  # ...as the viewer the database says
    with app.app_context(), db.new_session() as session:  # promoted without a new version
        session.get(User, user_row(app, "viewer1")[0]).role = "contributor"  # type: ignore[union-attr]
        session.commit()
    assert web.get("/upload").status_code == 200
