"""Roles and API tokens: who is calling, and whether their role allows the route."""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar, cast

from flask import g, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .db import get_session, utcnow
from .models import ApiToken, User
from .problems import Forbidden, InvalidInput, NotFound, Unauthenticated

# Each role can do everything the roles before it can.
ROLES = ("viewer", "contributor", "rights", "admin")
TOKEN_PREFIX = "vt"  # noqa: S105 - a label, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class Caller:
    """Who is making this request, as far as permissions go."""

    name: str
    role: str

    def can(self, role: str) -> bool:
        return role_allows(self.role, role)


def role_allows(held: str, needed: str) -> bool:
    """True when a holder of ``held`` may do what ``needed`` allows."""
    return ROLES.index(held) >= ROLES.index(needed)


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; a KDF would only slow every request.
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    session: Session, *, name: str, role: str, created_by: str
) -> tuple[ApiToken, str]:
    """Make a token and return it with its plaintext, which is never stored."""
    errors = {}
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    if not name.strip() or len(name) > 100:
        errors["name"] = "must be 1 to 100 characters"
    if errors:
        raise InvalidInput(errors)
    lookup = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        lookup=lookup,
        secret_hash=_hash(secret),
        name=name.strip(),
        role=role,
        created_by=created_by,
    )
    session.add(token)
    session.flush()
    return token, f"{TOKEN_PREFIX}_{lookup}_{secret}"


def revoke_token(session: Session, token_id: int) -> ApiToken:
    """Revoke a token; revoking twice is harmless."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"There is no token {token_id}.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def authenticate(session: Session, presented: str) -> Caller | None:
    """The caller a presented token stands for, or None when it is unknown or revoked."""
    prefix, _, rest = presented.partition("_")
    lookup, _, secret = rest.partition("_")
    if prefix != TOKEN_PREFIX or not lookup or not secret:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.lookup == lookup))
    if token is None or token.revoked_at is not None:
        return None
    if not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    now = utcnow()
    # Written at most once a minute, so that reads do not each cost a database write.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        token.last_used_at = now
    return Caller(name=token.name, role=token.role)


# Checked against when the username is unknown, so that a miss costs as long as a hit.
_DUMMY_HASH = generate_password_hash("not a password", method="scrypt")
MIN_PASSWORD_LENGTH = 12


MAX_USERNAME_LENGTH = 100


def create_user(session: Session, *, username: str, password: str, role: str) -> User:
    """Add a web user; the password is kept only as a scrypt hash."""
    errors = {}
    username = username.strip()
    if not username or len(username) > MAX_USERNAME_LENGTH or any(c.isspace() for c in username):
        errors["username"] = f"must be 1 to {MAX_USERNAME_LENGTH} characters without spaces"
    elif session.scalar(select(User).where(User.username == username)) is not None:
        errors["username"] = "is taken"
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"must be at least {MIN_PASSWORD_LENGTH} characters"
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username,
        password_hash=generate_password_hash(password, method="scrypt"),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def sign_in(session: Session, username: str, password: str) -> Caller | None:
    """The caller a username and password stand for, or None."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or user.disabled:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return Caller(name=user.username, role=user.role)


def current_caller() -> Caller:
    """The caller of this request; set by ``require``."""
    caller: Caller = g.caller
    return caller


F = TypeVar("F", bound=Callable[..., Any])


def require(role: str) -> Callable[[F], F]:
    """Refuse the route with 401 without a valid bearer token and 403 below ``role``."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not presented.strip():
                raise Unauthenticated("Send an API token as 'Authorization: Bearer <token>'.")
            session = get_session()
            caller = authenticate(session, presented.strip())
            if caller is None:
                raise Unauthenticated("The API token is unknown or has been revoked.")
            if session.dirty:
                session.commit()  # keeps last_used_at
            if not caller.can(role):
                raise Forbidden(f"This needs the {role} role; the token has {caller.role}.")
            g.caller = caller
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
