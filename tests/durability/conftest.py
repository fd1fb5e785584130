"""Proxies between the app and the real PostgreSQL, S3 and Redis, for the durability tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import make_url

from tests.support.faults import TcpProxy, proxy_to


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the test's PostgreSQL that follows its wire protocol."""
    url = make_url(database_url)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432, postgres=True) as proxy:
        yield proxy
