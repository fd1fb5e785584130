"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, make_url, text

from service.cli import upgrade_database
from service.services.asset_queries import AssetFilters, page_query
from service.storage.db import Base, made_on
from tests.support.database import TABLES
from tests.support.services import postgres_test_url, require_or_skip


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


def test_without_the_right_to_create_pg_trgm_the_migration_says_how_and_search_works(
    capfd: pytest.CaptureFixture[str],
) -> None:
    server = postgres_test_url()
    require_or_skip("PostgreSQL (VITRINE_TEST_DATABASE_URL)", server)
    assert server is not None
    name, role = f"vitrine_notrgm_{uuid.uuid4().hex[:8]}", f"vitrine_plain_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    # The role may make tables in the schema but not extensions in the database.
    owner = create_engine(make_url(server).set(database=name), isolation_level="AUTOCOMMIT")
    with owner.connect() as connection:
        connection.execute(text(f'GRANT ALL ON SCHEMA public TO "{role}"'))
    owner.dispose()
    url = make_url(server).set(database=name, username=role, password=None)
    try:
        upgrade_database(url.render_as_string(hide_password=False))
        said = capfd.readouterr().out
        assert "pg_trgm could not be created" in said
        assert "CREATE INDEX IF NOT EXISTS ix_assets_title_trigram" in said
        engine = create_engine(url)
        with engine.connect() as connection:
            assert not {name for name in _index_names(connection) if "trigram" in name}
            found = connection.execute(page_query(AssetFilters(text="vase"), limit=5)).all()
        engine.dispose()
        assert found == []
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
