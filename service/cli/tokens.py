"""``vitrine tokens``: API tokens, created, listed and revoked."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from service.http.transactions import transaction
from service.services import accounts as auth
from service.storage import db

tokens = AppGroup("tokens", help="API tokens.")


def _lifetime(_ctx: click.Context, _param: click.Parameter, value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return auth.parse_duration(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@tokens.command("create")
@click.option("--name", required=True, help="Who or what will use the token.")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
@click.option(
    "--expires-in",
    "expires_in",
    callback=_lifetime,
    help="Stop working after this long: 90d, 12h, 30m, 2w [default: never].",
)
def tokens_create(name: str, role: str, expires_in: timedelta | None) -> None:
    """Create a token and print it once; only its hash is kept."""
    with transaction() as session:
        token, plaintext = auth.create_token(
            session, name=name, role=role, created_by="cli", expires_in=expires_in
        )
    until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    click.echo(
        f"token {token.id} for {token.name} ({token.role}{until}); shown once, keep it safe:"
    )
    click.echo(plaintext)


@tokens.command("list")
def tokens_list() -> None:
    """List tokens (never their secrets): id, name, role, state, created, expires."""
    now = db.utcnow()
    with transaction() as session:
        for token in auth.list_tokens(session):
            expires = f"{token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "never"
            click.echo(
                f"{token.id}\t{token.name}\t{token.role}\t{auth.token_state(token, now)}"
                f"\t{token.created_at:%Y-%m-%d}\t{expires}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with transaction() as session:
        token = auth.revoke_token(session, token_id)
    click.echo(f"token {token.id} ({token.name}) revoked")
