"""API tokens and web users: who a token or a password stands for (the roles are pure rules in
``service.rules.roles``; the route guards are in ``service.http.guards``)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.rules.problems import InvalidInput, NotFound, Unauthenticated

# The roles are imported from here too (the CLI, the web session).
from service.rules.roles import ROLES as ROLES
from service.rules.roles import Caller as Caller
from service.rules.text import clean_field
from service.services.passwords import check_password, hash_password
from service.storage.db import utcnow
from service.storage.models import ApiToken, User

TOKEN_PREFIX = "vt"  # noqa: S105 - a label, not a secret
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough; a KDF would only slow every request.
    return hashlib.sha256(secret.encode()).hexdigest()


_DURATION = re.compile(r"\s*(\d{1,6})\s*([mhdw])\s*", re.ASCII)
_DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
MAX_TOKEN_LIFETIME = timedelta(days=3660)


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m``, ``2w``: a lifetime of at least a minute and at most ten
    years; anything else is a ValueError saying what is expected."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise ValueError("must be a number and a unit, such as 90d, 12h, 30m or 2w")
    duration = timedelta(**{_DURATION_UNITS[match[2]]: int(match[1])})
    if not timedelta(minutes=1) <= duration <= MAX_TOKEN_LIFETIME:
        raise ValueError("must be at least a minute and at most ten years")
    return duration


def create_token(
    session: Session,
    *,
    name: str,
    role: str,
    created_by: str,
    expires_in: timedelta | None = None,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Make a token and return it with its plaintext, which is never stored. With
    ``expires_in`` it stops working by itself that long after ``now``."""
    errors = {}
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    try:
        name = clean_field(name, multiline=False)
    except ValueError as error:
        errors["name"] = str(error)
    else:
        if not name or len(name) > 100:
            errors["name"] = "must be 1 to 100 characters"
    if expires_in is not None and not timedelta(minutes=1) <= expires_in <= MAX_TOKEN_LIFETIME:
        errors["expires_in"] = "must be at least a minute and at most ten years"
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
        expires_at=None if expires_in is None else (now or utcnow()) + expires_in,
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
    """Every API token, oldest first."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def token_state(token: ApiToken, now: datetime) -> str:
    """``active``, ``revoked`` or ``expired``."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


# Built once: every API request runs it, and a statement made afresh costs more to key and
# look up in SQLAlchemy's compiled cache than to run.
_BY_LOOKUP = select(ApiToken).where(ApiToken.lookup == bindparam("lookup"))


def authenticate(session: Session, presented: str, now: datetime | None = None) -> ApiToken:
    """The live token a presented secret stands for, read in the caller's session (a pure
    read: ``record_use`` stamps its last use); Unauthenticated saying why when there is none
    (unknown, revoked, or expired: the date is named, as the holder can act on it)."""
    prefix, _, rest = presented.partition("_")
    lookup, _, secret = rest.partition("_")
    unknown = Unauthenticated("The API token is unknown or has been revoked.")
    if prefix != TOKEN_PREFIX or not lookup or not secret:
        raise unknown
    token = session.scalar(_BY_LOOKUP, {"lookup": lookup})
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise unknown
    now = now or utcnow()
    state = token_state(token, now)
    if state == "revoked":
        raise unknown
    if state == "expired":
        assert token.expires_at is not None
        raise Unauthenticated(
            f"The API token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC; ask an admin "
            "for a new one."
        )
    return token


def caller_of(token: ApiToken) -> Caller:
    """Who a token stands for."""
    return Caller(name=token.name, role=token.role, kind="token")


def use_to_record(token: ApiToken, now: datetime) -> bool:
    """Whether this use of the token is to be stamped: at most once a minute, so that reads
    do not each cost a database write."""
    return token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION


def record_use(own: Session, token: ApiToken, now: datetime) -> None:
    """Stamp the token's last use through ``own``, a short session the caller commits (the
    token's bookkeeping, kept whatever becomes of the request); ``token`` is the row as the
    request's session read it, and reads the new time too.

    The update is conditional, so that the workers that all saw a stale time write it once.
    """
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - LAST_USED_RESOLUTION)
    own.execute(update(ApiToken).where(ApiToken.id == token.id, stale).values(last_used_at=now))
    # The value committed, not a change of the request's session: a read stays a read.
    set_committed_value(token, "last_used_at", now)


# Checked against when the username is unknown, so that a miss costs as long as a hit.
_DUMMY_HASH = hash_password("not a password")
MIN_PASSWORD_LENGTH = 12


MAX_USERNAME_LENGTH = 100


def create_user(session: Session, *, username: str, password: str, role: str) -> User:
    """Add a web user; the password is kept only as a scrypt hash."""
    errors = {}
    username = username.strip()
    if (
        not username
        or len(username) > MAX_USERNAME_LENGTH
        or any(c.isspace() or c == ":" or unicodedata.category(c)[0] == "C" for c in username)
    ):
        # A username names its holder in the history and the logs: nothing invisible in it.
        errors["username"] = (
            f"must be 1 to {MAX_USERNAME_LENGTH} characters without spaces, ':' or "
            "invisible or control characters"
        )
    elif session.scalar(select(User).where(User.username == username)) is not None:
        errors["username"] = "is taken"
    if refused := password_problem(password):
        errors["password"] = refused
    if role not in ROLES:
        errors["role"] = f"must be one of {', '.join(ROLES)}"
    if errors:
        raise InvalidInput(errors)
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
    )
    session.add(user)
    session.flush()
    return user


def password_problem(password: str) -> str | None:
    """Why a password is refused (the web, the API and the CLI's prompt ask the same), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    return None


def sign_in(session: Session, username: str, password: str) -> User | None:
    """The user a username and password stand for, or None (unknown, disabled or wrong)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or user.disabled:
        check_password(_DUMMY_HASH, password)
        return None
    if not check_password(user.password_hash, password):
        return None
    return user


def session_user(session: Session, user_id: object, version: object) -> User | None:
    """The user a session cookie names, when the user still exists, is not disabled and the
    cookie's session version is the current one; else None (signed out)."""
    if not isinstance(user_id, int) or not isinstance(version, int) or isinstance(user_id, bool):
        return None
    user = session.get(User, user_id)
    if user is None or user.disabled or user.session_version != version:
        return None
    return user


def end_sessions(user: User) -> None:
    """Every session cookie issued to the user so far stops working."""
    user.session_version += 1


def find_user(session: Session, username: str) -> User:
    """The user with this username; NotFound when there is none."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise NotFound(f"There is no user {username.strip()!r}.")
    return user


def list_users(session: Session) -> list[User]:
    """Every user, oldest first."""
    return list(session.scalars(select(User).order_by(User.id)))


def set_password(session: Session, username: str, password: str) -> User:
    """Give the user a new password; their sessions end."""
    user = find_user(session, username)
    if problem := password_problem(password):
        raise InvalidInput({"password": problem})
    user.password_hash = hash_password(password)
    end_sessions(user)
    return user


def set_role(session: Session, username: str, role: str) -> User:
    """Give the user another role; their sessions end, so the next request signs in afresh."""
    if role not in ROLES:
        raise InvalidInput({"role": f"must be one of {', '.join(ROLES)}"})
    user = find_user(session, username)
    if user.role != role:
        user.role = role
        end_sessions(user)
    return user


def set_disabled(session: Session, username: str, disabled: bool) -> User:
    """Disable (or enable again) a user; disabling ends their sessions."""
    user = find_user(session, username)
    if disabled and not user.disabled:
        end_sessions(user)
    user.disabled = disabled
    return user
