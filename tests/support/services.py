"""Where the real services for the tests are: S3, PostgreSQL, Redis and a Bluesky PDS from
``VITRINE_TEST_*``.

``scripts/s3-test-server.sh up``, ``scripts/pg-test-server.sh up`` and
``scripts/pds-test-server.sh up`` print these variables; without them the tests that need the service are skipped, or fail when
``CI`` is set (a CI run must not go green by skipping the real thing).
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, TypeVar

import psycopg
import pytest
import redis
import requests

T = TypeVar("T")


def s3_test_settings() -> dict[str, Any] | None:
    """App config for the S3 backend against ``VITRINE_TEST_S3_ENDPOINT``, or None."""
    endpoint = os.environ.get("VITRINE_TEST_S3_ENDPOINT")
    if not endpoint:
        return None
    return {
        "BLOB_BACKEND": "s3",
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY": os.environ.get("VITRINE_TEST_S3_KEY", ""),
        "S3_SECRET_KEY": os.environ.get("VITRINE_TEST_S3_SECRET", ""),
        "S3_BUCKET": os.environ.get("VITRINE_TEST_S3_BUCKET") or "vitrine-test",
        "S3_REGION": "us-east-1",
        "S3_PATH_STYLE": True,
        "S3_CREATE_BUCKET": True,
        "S3_KEY_PREFIX": "",
        "S3_CONNECT_TIMEOUT": 5.0,
        "S3_READ_TIMEOUT": 30.0,
    }


def postgres_test_url() -> str | None:
    """``VITRINE_TEST_DATABASE_URL`` if a PostgreSQL answers there within 2 s, else None."""
    url = os.environ.get("VITRINE_TEST_DATABASE_URL")
    return url if url and _answers(url) else None


@functools.cache
def _answers(url: str) -> bool:
    """Probe once per run: an unreachable server costs its 2 s only once."""
    libpq_url = re.sub(r"^postgres(?:ql)?(?:\+\w+)?://", "postgresql://", url)
    try:
        with psycopg.connect(libpq_url, connect_timeout=2) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


def redis_test_url() -> str | None:
    """``VITRINE_TEST_REDIS_URL`` (the local Redis by default) if it answers within 2 s, else None."""
    url = os.environ.get("VITRINE_TEST_REDIS_URL") or "redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    finally:
        client.close()
    return url


def pds_test_url() -> str | None:
    """``VITRINE_TEST_PDS_URL`` if a PDS answers its health check there within 2 s, else None."""
    url = os.environ.get("VITRINE_TEST_PDS_URL")
    if not url:
        return None
    try:
        health = requests.get(f"{url.rstrip('/')}/xrpc/_health", timeout=2)
        answers = health.ok and "version" in health.json()
    except (requests.RequestException, ValueError):
        answers = False
    return url if answers else None


def require_or_skip(what: str, value: T | None) -> T:
    """Return value; if it is None, skip the test, or fail it when ``CI`` is set."""
    if value is None:
        message = (
            f"{what} is not available: start it with scripts/<service>-test-server.sh up "
            "(pg, s3, redis, pds) and export the VITRINE_TEST_* lines they print"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return value
