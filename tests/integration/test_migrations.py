"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect

from service.storage.db import Base, made_on
from tests.support.database import TABLES


def test_the_migrated_database_matches_the_models_and_the_tests_empty_every_table(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            with warnings.catch_warnings():
                # Neither SQLAlchemy nor Alembic reflects an index on an expression: those
                # are compared by name below, and test_query_plans shows them used.
                warnings.filterwarnings("ignore", "Skipped unsupported reflection")
                warnings.filterwarnings("ignore", "autogenerate skipping")
                include = made_on(connection.dialect.name)
                context = MigrationContext.configure(connection, opts={"include_object": include})
                differences = compare_metadata(context, Base.metadata)
            indexes = _index_names(connection)
            tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    assert differences == []
    assert tables == set(Base.metadata.tables) == set(TABLES)
    dialect = "postgresql" if database_url.startswith("postgresql") else "sqlite"
    expected = {
        index.name
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if made_on(dialect)(index, index.name, "index", False, None)
    }
    assert expected <= indexes, sorted(expected - indexes)


def _index_names(connection: Connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        query = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    return set(connection.exec_driver_sql(query).scalars())
