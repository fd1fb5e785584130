"""Roles and callers: who may do what, as pure rules."""

from __future__ import annotations

from dataclasses import dataclass

# Each role can do everything the roles before it can.
ROLES = ("viewer", "contributor", "rights", "admin")
TOKEN_ACTOR_PREFIX = "token:"  # noqa: S105 - a label, not a secret


@dataclass(frozen=True)
class Caller:
    """Who is making this request, as far as permissions go: a signed-in user or a token."""

    name: str
    role: str
    kind: str = "user"

    def can(self, role: str) -> bool:
        """True when this caller's role allows what ``role`` allows."""
        return role_allows(self.role, role)

    @property
    def actor(self) -> str:
        """How history and the records name this caller: ``token:<name>`` for an API token,
        the username for a person (usernames cannot hold ``:``, so neither passes for the
        other)."""
        return f"{TOKEN_ACTOR_PREFIX}{self.name}" if self.kind == "token" else self.name


def role_allows(held: str, needed: str) -> bool:
    """True when a holder of ``held`` may do what ``needed`` allows."""
    return ROLES.index(held) >= ROLES.index(needed)
