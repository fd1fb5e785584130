"""Route guards: who is calling the API, and whether their role allows the route."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import g, request

from service.http.database import get_session, session_factory
from service.rules.problems import Forbidden, Unauthenticated
from service.rules.roles import ROLES, Caller
from service.services import accounts
from service.storage.db import utcnow


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
            # Read in the request's session: no connection of its own per request. The
            # token's last use (written at most once a minute) is the token's own
            # bookkeeping, kept whatever becomes of the request: a short session of its own,
            # so the request's transaction stays its route's.
            now = utcnow()
            token = accounts.authenticate(get_session(), presented.strip(), now)
            if accounts.use_to_record(token, now):
                with session_factory()() as own:
                    accounts.record_use(own, token, now)
                    own.commit()
            caller = accounts.caller_of(token)
            if not caller.can(role):
                raise Forbidden(f"This needs the {role} role; the token has {caller.role}.")
            g.caller = caller
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
