"""``vitrine db``: the database's migrations."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config as AlembicConfig
from flask import current_app
from flask.cli import AppGroup

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(database_url: str) -> AlembicConfig:
    """Alembic pointed at this project's migrations and the given database."""
    alembic = AlembicConfig()
    alembic.set_main_option("script_location", str(MIGRATIONS_DIR))
    alembic.attributes["database_url"] = database_url
    return alembic


def upgrade_database(database_url: str) -> None:
    """Apply every migration not yet applied to the given database."""
    command.upgrade(alembic_config(database_url), "head")


database = AppGroup("db", help="Database migrations.")


@database.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration not yet applied."""
    upgrade_database(current_app.config["DATABASE_URL"])
    click.echo("database is up to date")
