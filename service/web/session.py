"""Signing in and out of the web UI, the signed-in user, and CSRF protection for every form.

The session is Flask's signed cookie (HttpOnly, SameSite=Lax, Secure behind TLS). Every
POST from a page carries a per-session CSRF token, in a hidden ``csrf_token`` field or an
``X-CSRF-Token`` header for scripts, compared in constant time.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .. import auth
from ..db import get_session
from ..throttle import Limiter, throttle_key
from . import bp

F = TypeVar("F", bound=Callable[..., Any])


def csrf_token() -> str:
    """This session's CSRF token, made on first use."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    token: str = session["csrf"]
    return token


@bp.before_app_request
def check_csrf() -> None:
    """Refuse any state-changing page request without this session's token."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith("/api/"):
        return
    sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(str(sent), str(expected)):
        abort(400, "The form has expired or did not come from this site; reload and try again.")


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    return {"csrf_token": csrf_token, "current_user": signed_in_user()}


def signed_in_user() -> auth.Caller | None:
    if "user" not in g:
        data = session.get("user")
        g.user = auth.Caller(name=data["name"], role=data["role"]) if data else None
    user: auth.Caller | None = g.user
    return user


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

        return cast(F, wrapper)

    return decorate


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect a signed-in user to another host."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.library")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
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
            throttle: Limiter = current_app.extensions["vitrine.sign_in_throttle"]
            key = throttle_key(username.strip().casefold(), request.remote_addr or "")
            # Counted before the password is checked: parallel guesses cannot outrun the count.
            if wait := throttle.attempt(key):
                errors["password"] = f"Too many failed attempts; try again in {wait} seconds."
                page = render_template("login.html", errors=errors, username=username)
                return page, 429, {"Retry-After": str(wait)}
            caller = auth.sign_in(get_session(), username, password)
            if caller is None:
                errors["password"] = "That username and password do not match."  # noqa: S105
            else:
                throttle.forget(key)
                session.clear()
                session["user"] = {"name": caller.name, "role": caller.role}
                session.permanent = True
                return redirect(_safe_next(request.args.get("next")))
    status = 401 if errors and "password" in errors and username else 200
    if errors and status == 200:
        status = 422
    return render_template("login.html", errors=errors, username=username), status


@bp.post("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("web.login"))
