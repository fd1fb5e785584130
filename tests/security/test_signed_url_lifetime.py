"""A signed URL never outlives the rights that let it out: an S3 presigned URL cannot be
revoked, so one handed out on a licence's last day stops working when the licence ends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from service.storage.db import utcnow
from tests.support.api import clear, cleared_asset

TWO_DAYS = 2 * 24 * 3600


def url_expiry(url: str) -> datetime:
    """When a signed URL stops working, read from the URL itself (local or S3 presigned)."""
    query = parse_qs(urlsplit(url).query)
    if "expires" in query:  # the local store's /blobs URL
        return datetime.fromtimestamp(int(query["expires"][0]), UTC)
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return signed_at + timedelta(seconds=int(query["X-Amz-Expires"][0]))


@pytest.fixture
def long_urls(make_app: Callable[..., Flask]) -> Flask:
    return make_app(SIGNED_URL_SECONDS=TWO_DAYS)


def test_a_url_handed_out_on_the_licences_last_day_stops_when_the_licence_ends(
    long_urls: Flask, tokens: dict[str, dict[str, str]]
) -> None:
    client = long_urls.test_client()
    asset_id = cleared_asset(client, tokens)
    today = utcnow().date()
    assert clear(client, tokens, asset_id, expires_at=today.isoformat()).status_code == 200
    answer = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    licence_ends = datetime.combine(today + timedelta(days=1), time(), UTC)
    assert datetime.fromisoformat(answer.json["expires_at"]) <= licence_ends
    assert url_expiry(answer.json["url"]) <= licence_ends
    redirect = client.get(f"/api/v1/assets/{asset_id}/variants/x/image", headers=tokens["viewer"])
    assert url_expiry(redirect.headers["Location"]) <= licence_ends


def test_a_url_for_rights_without_an_end_lasts_the_configured_time(
    long_urls: Flask, tokens: dict[str, dict[str, str]]
) -> None:
    client = long_urls.test_client()
    asset_id = cleared_asset(client, tokens)
    before = utcnow()
    answer: Any = client.get(f"/api/v1/assets/{asset_id}/variants/x", headers=tokens["viewer"])
    assert answer.status_code == 200, answer.json
    lasts = url_expiry(answer.json["url"]) - before
    assert timedelta(seconds=TWO_DAYS - 60) <= lasts <= timedelta(seconds=TWO_DAYS + 60)


def test_an_overridden_expired_licence_gets_the_configured_time_the_history_records_why(
    long_urls: Flask, tokens: dict[str, dict[str, str]]
) -> None:
    client = long_urls.test_client()
    asset_id = cleared_asset(client, tokens)
    yesterday = (utcnow().date() - timedelta(days=1)).isoformat()
    assert clear(client, tokens, asset_id, expires_at=yesterday).status_code == 200
    base = f"/api/v1/assets/{asset_id}/variants/x"
    assert client.get(base, headers=tokens["viewer"]).status_code == 409
    before = utcnow()
    answer = client.get(f"{base}?override=true&reason=Renewal+signed", headers=tokens["rights"])
    assert answer.status_code == 200, answer.json
    assert answer.json["overridden"] is True
    assert url_expiry(answer.json["url"]) - before >= timedelta(seconds=TWO_DAYS - 60)
