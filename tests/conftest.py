"""Fixtures: an app per test over each database (SQLite, PostgreSQL) and blob store (local, S3).

PostgreSQL gets a database of its own per run, migrated once and emptied after each test;
SQLite gets a migrated file copied per test. S3 tests share a bucket, each under its own
key prefix. A Bluesky PDS takes the records a publisher would post (``pds_url``, ``pds_session``).
With ``CI`` set, a missing PostgreSQL, S3, Redis or PDS fails the run instead of skipping.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import yaml
from flask import Flask
from flask.testing import FlaskClient
from openapi_core import OpenAPI
from sqlalchemy import create_engine, text

from service.app import create_app
from service.cli import upgrade_database
from service.http import database as db
from service.services import accounts as auth
from service.services import working_copy
from tests.support.database import TABLES, migrated_postgres_database
from tests.support.faults import TcpProxy, proxy_to
from tests.support.openapi import SPEC_PATH, Api, spec_config
from tests.support.pds import Session, create_account
from tests.support.services import (
    pds_test_url,
    postgres_test_url,
    redis_test_url,
    require_or_skip,
    s3_test_settings,
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    """A freshly made, migrated PostgreSQL database for this run, dropped at the end."""
    server = postgres_test_url()
    if server is None:
        yield None
        return
    with migrated_postgres_database(server, "vitrine_test") as url:
        yield url


@pytest.fixture
def fresh_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Another empty, migrated database of the same kind as the test's."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'restored.db'}"
        upgrade_database(url)
        yield url
        return
    with migrated_postgres_database(database_url, "vitrine_restore") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "vitrine.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_url")
    require_or_skip("PostgreSQL (VITRINE_TEST_DATABASE_URL)", url)
    yield url
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["local", "s3"])
def blob_settings(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    if request.param == "local":
        return {"BLOB_BACKEND": "local", "BLOB_DIR": str(tmp_path / "blobs")}
    settings = s3_test_settings()
    require_or_skip("S3 (VITRINE_TEST_S3_ENDPOINT)", settings)
    assert settings is not None
    return {**settings, "S3_KEY_PREFIX": f"t-{uuid.uuid4().hex[:12]}/"}


@pytest.fixture
def app_settings(
    database_url: str, blob_settings: dict[str, Any], tmp_path: Path
) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-not-for-production-0123456789",
        "SPOOL_DIR": str(tmp_path / "spool"),
        "TESTING": True,
        **blob_settings,
    }


@pytest.fixture(autouse=True)
def _working_copies_kept() -> Iterator[None]:
    """Working copies are stored on a thread of their own: let each test's finish before the
    next test starts, so that none spends another test's CPU (or writes into its store)."""
    yield
    working_copy.wait_until_kept(timeout=120)


@pytest.fixture
def app(app_settings: dict[str, Any]) -> Iterator[Flask]:
    application = create_app(app_settings)
    yield application
    application.extensions["vitrine.engine"].dispose()


@pytest.fixture
def make_app(app_settings: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Build further apps on the same database and store, with some settings changed."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        application = create_app({**app_settings, **overrides})
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["vitrine.engine"].dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def tokens(app: Flask) -> dict[str, dict[str, str]]:
    """An Authorization header per role."""
    headers = {}
    with app.app_context(), db.new_session() as session:
        for role in auth.ROLES:
            _, plaintext = auth.create_token(
                session, name=f"{role}-user", role=role, created_by="test"
            )
            headers[role] = {"Authorization": f"Bearer {plaintext}"}
        session.commit()
    return headers


# ---------------------------------------------------------------- openapi.yaml


@pytest.fixture(scope="session")
def spec_dict() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return document


@pytest.fixture(scope="session")
def schemas(spec_dict: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = spec_dict["components"]["schemas"]
    return found


@pytest.fixture(scope="session")
def openapi() -> OpenAPI:
    return OpenAPI.from_file_path(str(SPEC_PATH), config=spec_config())


@pytest.fixture
def api(client: FlaskClient, openapi: OpenAPI) -> Api:
    """The test client, checking every request and response against openapi.yaml."""
    return Api(client, openapi)


# ---------------------------------------------------------------- Redis


CLAIM = "vitrine-test:claimed"  # marks a Redis database as taken by a running test


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Redis database (1-15) claimed for this test alone, emptied afterwards."""
    server = urlsplit(
        require_or_skip(
            "Redis (VITRINE_TEST_REDIS_URL, or redis-server on 127.0.0.1:6379)", redis_test_url()
        )
    )
    for number in range(15, 0, -1):
        url = server._replace(path=f"/{number}").geturl()
        client = redis.Redis.from_url(url)
        if client.set(CLAIM, "1", nx=True, ex=3600):
            break
        client.close()
    else:
        pytest.fail("Redis databases 1-15 are all claimed by other test runs")
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def s3_proxy(blob_settings: dict[str, Any]) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the test's S3 server, to cut and restore."""
    endpoint = urlsplit(blob_settings["S3_ENDPOINT_URL"])
    assert endpoint.hostname is not None and endpoint.port is not None
    with proxy_to(endpoint.hostname, endpoint.port) as proxy:
        yield proxy


# ---------------------------------------------------------------- Bluesky PDS


@pytest.fixture(scope="session")
def pds_url() -> str:
    """The test Bluesky PDS (``VITRINE_TEST_PDS_URL``, from scripts/pds-test-server.sh)."""
    return require_or_skip("Bluesky PDS (VITRINE_TEST_PDS_URL)", pds_test_url())


@pytest.fixture
def pds_session(pds_url: str) -> Session:
    """A new account on the test PDS, signed in (tests/support/pds.py posts with it)."""
    return create_account(pds_url)
