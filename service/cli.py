"""The ``vitrine`` command: the Flask CLI plus database, token and storage commands."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, FlaskGroup

from . import assets, auth, db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def _create_app() -> Flask:
    from .app import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app)
def cli() -> None:
    """Vitrine: rights, credit lines and captioned social variants for museum photographs."""


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic pointed at this project's migrations and the given database."""
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(MIGRATIONS_DIR))
    alembic.attributes["database_url"] = database_url
    return alembic


def upgrade_database(database_url: str) -> None:
    command.upgrade(alembic_config(database_url), "head")


database = AppGroup("db", help="Database migrations.")


@database.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")


tokens = AppGroup("tokens", help="API tokens.")


@tokens.command("create")
@click.option("--name", required=True, help="Who or what will use the token.")
@click.option("--role", type=click.Choice(auth.ROLES), required=True)
def tokens_create(name: str, role: str) -> None:
    """Create a token and print it once; only its hash is kept."""
    with db.new_session() as session:
        token, plaintext = auth.create_token(session, name=name, role=role, created_by="cli")
        session.commit()
        click.echo(f"token {token.id} for {token.name} ({token.role}); shown once, keep it safe:")
        click.echo(plaintext)


@tokens.command("list")
def tokens_list() -> None:
    """List tokens (never their secrets)."""
    with db.new_session() as session:
        for token in auth.list_tokens(session):
            state = "revoked" if token.revoked_at else "active"
            click.echo(
                f"{token.id}\t{token.name}\t{token.role}\t{state}\t{token.created_at:%Y-%m-%d}"
            )


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id: int) -> None:
    """Revoke a token by id."""
    with db.new_session() as session:
        token = auth.revoke_token(session, token_id)
        session.commit()
        click.echo(f"token {token.id} ({token.name}) revoked")


storage = AppGroup("storage", help="Blob store consistency.")


@storage.command("check")
@click.option("--fix", is_flag=True, help="Delete the orphan blobs found.")
@click.option(
    "--grace-minutes",
    type=click.IntRange(min=0),
    default=int(assets.ORPHAN_GRACE.total_seconds() // 60),
    show_default=True,
    help="Unowned blobs younger than this may belong to an upload in flight: left alone.",
)
def storage_check(fix: bool, grace_minutes: int) -> None:
    """List blobs no asset owns and assets whose original is missing; exit 1 if any."""
    store = current_app.extensions["vitrine.store"]
    with db.new_session() as session:
        report = assets.check_storage(
            session, store, now=db.utcnow(), grace=timedelta(minutes=grace_minutes)
        )
        for key in report.recent_keys:
            click.echo(f"recent unowned blob (left alone): {key}")
        for key in report.orphan_keys:
            click.echo(f"orphan blob: {key}")
        for asset_id, key in report.missing:
            click.echo(f"missing blob: asset {asset_id} expects {key}")
        if fix and report.orphan_keys:
            removed = assets.remove_orphans(session, store, report.orphan_keys)
            click.echo(f"removed {len(removed)} orphan blob(s)")
        problems = len(report.missing) + (0 if fix else len(report.orphan_keys))
        click.echo(
            f"{len(report.orphan_keys)} orphan blob(s), {len(report.missing)} missing blob(s)"
        )
    if problems:
        raise SystemExit(1)


def register_commands(app: Flask) -> None:
    for group in (database, tokens, storage):
        app.cli.add_command(group)
