"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from service.storage.db import Base
from tests.support.database import TABLES


def test_the_migrated_database_matches_the_models_and_the_tests_empty_every_table(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert differences == []
    assert tables == set(Base.metadata.tables) == set(TABLES)
