"""Proxies between the app and the real PostgreSQL, S3 and Redis, for the durability tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import make_url, select

from service.http import database as db
from service.storage.models import Asset, Variant
from tests.faults import TcpProxy, proxy_to


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[TcpProxy]:
    """A proxy in front of the test's PostgreSQL that follows its wire protocol."""
    url = make_url(database_url)
    with proxy_to(url.host or "127.0.0.1", url.port or 5432, postgres=True) as proxy:
        yield proxy


@pytest.fixture
def s3_proxy(blob_settings: dict[str, Any]) -> Iterator[TcpProxy]:
    endpoint = urlsplit(blob_settings["S3_ENDPOINT_URL"])
    assert endpoint.hostname is not None and endpoint.port is not None
    with proxy_to(endpoint.hostname, endpoint.port) as proxy:
        yield proxy


def through(proxy: TcpProxy, database_url: str) -> str:
    """The database URL, pointed at the proxy."""
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def ready_variant_keys(app: Flask) -> list[tuple[int, str]]:
    with app.app_context(), db.new_session() as session:
        query = select(Variant.id, Variant.blob_key).where(Variant.status == "ready")
        return [(variant_id, key) for variant_id, key in session.execute(query)]


def asset_keys(app: Flask) -> list[str]:
    with app.app_context(), db.new_session() as session:
        return sorted(session.scalars(select(Asset.blob_key)))
