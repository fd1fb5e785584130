"""What the database and blob store hold, and fresh migrated PostgreSQL databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, event, make_url, select, text

from service.cli import upgrade_database
from service.http import database as db
from service.storage.models import Asset, Variant

# Emptied after each PostgreSQL test; test_migrations checks that it names every table.
TABLES = (
    "depictions",
    "consents",
    "people_history",
    "people",
    "campaign_post_media",
    "campaign_posts",
    "campaign_days",
    "campaigns",
    "campaign_history",
    "preset_changes",
    "variants",
    "asset_tags",
    "rights_records",
    "captions",
    "caption_templates",
    "credit_policy_versions",
    "history",
    "assets",
    "api_tokens",
    "users",
)


@contextmanager
def migrated_postgres_database(server: str, prefix: str) -> Iterator[str]:
    """A new, migrated database on the server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def stored_state(app: Flask) -> tuple[int, list[str]]:
    """How many asset rows there are and which originals the blob store holds."""
    with app.app_context(), db.new_session() as session:
        rows = session.query(Asset).count()
    keys = sorted(app.extensions["vitrine.store"].keys("originals/"))
    return rows, keys


def variant_rows(app: Flask) -> list[Variant]:
    """Every variant row, oldest first."""
    with app.app_context(), db.new_session() as session:
        return list(session.query(Variant).order_by(Variant.id))


def ready_variant_keys(app: Flask) -> list[tuple[int, str]]:
    """(id, blob key) of every variant marked ready."""
    with app.app_context(), db.new_session() as session:
        query = select(Variant.id, Variant.blob_key).where(Variant.status == "ready")
        return [(variant_id, key) for variant_id, key in session.execute(query)]


def asset_keys(app: Flask) -> list[str]:
    """The blob keys of every asset's original, sorted."""
    with app.app_context(), db.new_session() as session:
        return sorted(session.scalars(select(Asset.blob_key)))


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app's engine runs inside the block."""
    engine = app.extensions["vitrine.engine"]
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
