"""Signing in and out of the web UI, the signed-in user, and CSRF protection for every form.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind TLS). It names
the user by id and the user's session version, and both are checked against the database on
every request: a user who is gone or disabled, or whose version moved on (sign-out, new
password, new role), is signed out at once, and the role is always the database's.

Every POST from a page carries a per-session CSRF token, in a hidden ``csrf_token`` field or
an ``X-CSRF-Token`` header for scripts, compared in constant time. The token is checked only
once the route and the user are known: a request that is not signed in (or whose role the
route refuses) is answered without its body being read, and a page that takes no files
refuses a multipart body outright, so nobody unknown can make the server spool uploads.
"""

from __future__ import annotations

import functools
import hmac
import math
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from service.http.database import get_session
from service.ops.throttle import SignInLimiter
from service.rules.problems import UnsupportedMediaType
from service.services import accounts as auth
from service.storage.models import User
from service.web import bp

F = TypeVar("F", bound=Callable[..., Any])


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


@bp.before_app_request
def guard_page_post() -> None:
    """Before a state-changing page request's body is read: refuse files where none are
    taken; read nothing for a visitor the route will turn away; else check the CSRF token.

    Unknown paths and methods (404, 405) are answered without reading anything. A route
    marked with ``login_required`` turns away visitors who are not signed in or whose role
    is too low itself, before it reads the form. Any other page route (sign-in, sign-out, and
    any added later) has its token checked here.
    """
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    if request.url_rule is None or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if request.mimetype == "multipart/form-data" and not getattr(view, "takes_files", False):
        raise UnsupportedMediaType(
            "This page takes no files: send the form as application/x-www-form-urlencoded."
        )
    needed: str | None = getattr(view, "required_role", None)
    if needed is not None:
        user = signed_in_user()
        if user is None or not user.can(needed):
            return  # the view sends the visitor to sign in, or answers 403, unread
    check_csrf()


def check_csrf() -> None:
    """Refuse the request (400) unless it carries this session's CSRF token."""
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, "The form has expired or did not come from this site; reload and try again.")


def takes_files(view: F) -> F:
    """Mark a page route that accepts multipart bodies (uploads); every other refuses them."""
    view.takes_files = True  # type: ignore[attr-defined]
    return view


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    """What every template may use: the CSRF token and the signed-in user."""
    return {"csrf_token": csrf_token, "current_user": signed_in_user()}


def signed_in_user() -> auth.Caller | None:
    """The user this request's session names, read from the database once per request.

    A cookie naming a user who is gone or disabled, or an older session version, signs the
    visitor out (the cookie is cleared); a cookie of another shape (an older release's, a
    forged one) too.
    """
    if "user" not in g:
        g.user = None
        data = session.get("user")
        if data is not None:
            user = None
            if isinstance(data, dict):
                user = auth.session_user(get_session(), data.get("id"), data.get("v"))
            if user is None:
                session.clear()
            else:
                g.user = auth.Caller(name=user.username, role=user.role)
                g.user_id = user.id
    current: auth.Caller | None = g.user
    return current


def login_required(role: str = "viewer") -> Callable[[F], F]:
    """Send anonymous visitors to the sign-in page, and refuse (403) roles below ``role``."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = signed_in_user()
            if user is None:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            if not user.can(role):
                return render_template("forbidden.html", needed=role), 403
            g.caller = user  # the services' history and uploads name this user
            return view(*args, **kwargs)

        wrapper.required_role = role  # type: ignore[attr-defined]  # read by guard_page_post
        return cast(F, wrapper)

    return decorate


def safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.library")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in page, and signing in (throttled per user and per address)."""
    errors: dict[str, str] = {}
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")
        password = request.form.get("password", "")
        if not username.strip():
            errors["username"] = "Enter your username."
        elif len(username) > auth.MAX_USERNAME_LENGTH:
            errors["username"] = f"A username has at most {auth.MAX_USERNAME_LENGTH} characters."
        if not password:
            errors["password"] = "Enter your password."  # noqa: S105 - a message
        if not errors:
            throttle: SignInLimiter = current_app.extensions["vitrine.sign_in_throttle"]
            # Counted before the password is checked: parallel guesses cannot outrun the count.
            # The count lives in the throttle (memory or Redis), not the database, so the
            # rollback of a refused sign-in (401, 429) cannot lose it: signing in writes no row.
            attempt = throttle.attempt(username.strip().casefold(), request.remote_addr or "")
            if attempt.wait:
                errors["password"] = (
                    f"Too many failed attempts from this address; try again in "
                    f"{_duration(attempt.wait)}."
                )
                page = render_template("login.html", errors=errors, username=username)
                return page, 429, {"Retry-After": str(attempt.wait)}
            user = auth.sign_in(get_session(), username, password)
            if user is None:
                errors["password"] = "That username and password do not match."  # noqa: S105
            else:
                throttle.succeeded(attempt)
                session.clear()
                session["user"] = {"id": user.id, "v": user.session_version}
                session.permanent = True
                return redirect(safe_next(request.args.get("next")))
    status = 401 if errors and "password" in errors and username else 200
    if errors and status == 200:
        status = 422
    return render_template("login.html", errors=errors, username=username), status


def _duration(seconds: int) -> str:
    """A wait as a person reads it: "40 seconds", "15 minutes", "2 hours"."""
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds >= 2 * size:
            count = math.ceil(seconds / size)
            return f"{count} {unit}s"
    return f"{seconds} second{'s' if seconds != 1 else ''}"


@bp.post("/logout")
def logout() -> Response:
    """Sign out: this cookie, and every other one the user holds, stops working."""
    if signed_in_user() is not None:
        db_session = get_session()
        user = db_session.get(User, g.user_id)
        if user is not None:
            auth.end_sessions(user)  # committed by the request's unit of work (a redirect)
    session.clear()
    return redirect(url_for("web.login"))
