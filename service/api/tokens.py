"""Token routes (admin): create one (shown once, optionally expiring), list, revoke."""

from __future__ import annotations

from typing import Any

from flask import request

from service.api import bp
from service.http.database import get_session
from service.http.guards import current_caller, require
from service.rules.problems import InvalidInput
from service.services import accounts as auth
from service.storage.models import ApiToken


def token_json(token: ApiToken) -> dict[str, Any]:
    """An API token as JSON, without its secret."""
    return {
        "id": token.id,
        "name": token.name,
        "role": token.role,
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "last_used_at": token.last_used_at.isoformat() if token.last_used_at else None,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


@bp.get("/me")
@require("viewer")
def whoami() -> dict[str, Any]:
    """Who the caller is: name and role."""
    caller = current_caller()
    return {"name": caller.name, "role": caller.role}


@bp.get("/tokens")
@require("admin")
def list_tokens() -> dict[str, Any]:
    """Every API token, revoked and expired ones too (admin)."""
    return {"items": [token_json(token) for token in auth.list_tokens(get_session())]}


@bp.post("/tokens")
@require("admin")
def create_token() -> tuple[dict[str, Any], int]:
    """Make an API token (admin); its secret is in this answer only."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) - {"name", "role", "expires_in"}:
        raise InvalidInput(
            {"body": "must be a JSON object with 'name', 'role' and optionally 'expires_in'"}
        )
    name, role = body.get("name"), body.get("role")
    if not isinstance(name, str) or not isinstance(role, str):
        raise InvalidInput({"body": "'name' and 'role' must be strings"})
    raw_lifetime = body.get("expires_in")
    expires_in = None
    if raw_lifetime is not None:
        try:
            if not isinstance(raw_lifetime, str):
                raise ValueError("must be a string such as 90d, 12h, 30m or 2w")
            expires_in = auth.parse_duration(raw_lifetime)
        except ValueError as error:
            raise InvalidInput({"expires_in": str(error)}) from None
    session = get_session()
    token, plaintext = auth.create_token(
        session,
        name=name,
        role=role,
        created_by=current_caller().actor,
        expires_in=expires_in,
    )
    return {**token_json(token), "token": plaintext}, 201


@bp.delete("/tokens/<int:token_id>")
@require("admin")
def revoke_token(token_id: int) -> dict[str, Any]:
    """Revoke an API token at once (admin); the token as revoked."""
    session = get_session()
    token = auth.revoke_token(session, token_id)
    return token_json(token)
