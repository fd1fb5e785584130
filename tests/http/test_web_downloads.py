"""A variant downloaded from the asset page is saved under a name a person finds again
(issue 14): ``Content-Disposition: attachment`` with the object number, the preset and the
extension, from the local store's /blobs route and from S3 itself (the presigned URL carries
a signed ``response-content-disposition``). "Open" shows the same image without it.

Runs over every parametrisation of ``app``: SQLite and PostgreSQL, the local store and S3.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.api import clear, cleared_asset, upload
from tests.support.web import signed_in, web_client

Tokens = dict[str, dict[str, str]]
PRESET = "instagram-portrait"


@pytest.fixture
def web(app: Flask, client: FlaskClient) -> FlaskClient:
    return web_client(app, client, "viewer")


def _follow(app: Flask, web: FlaskClient, path: str) -> tuple[int, dict[str, str], bytes]:
    """Ask the asset page's link, then fetch where it points as a browser would: S3's
    presigned URL over HTTP, the local store's /blobs URL from the app."""
    answer = web.get(path)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    url = answer.headers["Location"]
    if app.config["BLOB_BACKEND"] == "s3":
        assert urlsplit(url).netloc not in ("", "localhost"), url
        fetched = requests.get(url, timeout=10)
        return fetched.status_code, dict(fetched.headers), fetched.content
    parts = urlsplit(url)
    response = web.get(f"{parts.path}?{parts.query}", buffered=True)
    return response.status_code, dict(response.headers), response.data


def test_a_download_is_an_attachment_named_for_the_object_and_the_preset(
    app: Flask, client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)  # object number Af1935,0711.1
    signed_in(web, "viewer")
    status, headers, body = _follow(app, web, f"/assets/{asset_id}/variants/{PRESET}/download")
    assert status == 200
    assert body[:3] == b"\xff\xd8\xff", "not the JPEG"
    assert headers["Content-Disposition"] == (
        'attachment; filename="Af1935-0711-1_instagram-portrait.jpg"'
    )


def test_opening_a_variant_shows_it_without_an_attachment(
    app: Flask, client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    signed_in(web, "viewer")
    status, headers, body = _follow(app, web, f"/assets/{asset_id}/variants/{PRESET}/open")
    assert status == 200 and body[:3] == b"\xff\xd8\xff"
    assert "attachment" not in headers.get("Content-Disposition", "")


def test_a_title_in_another_script_is_sent_as_filename_star(
    app: Flask, client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    created = upload(client, tokens["contributor"], photos.jpeg_with_rights(), title="博物館の籠",
                     alt_text="A woven basket with a conical lid.")  # fmt: skip
    asset_id = int(created.json["id"])
    assert clear(client, tokens, asset_id).status_code == 200
    signed_in(web, "viewer")
    status, headers, _ = _follow(app, web, f"/assets/{asset_id}/variants/{PRESET}/download")
    assert status == 200
    name = quote("博物館の籠_instagram-portrait.jpg", safe="")
    assert headers["Content-Disposition"] == (
        f"attachment; filename=\"instagram-portrait.jpg\"; filename*=UTF-8''{name}"
    )


@pytest.mark.parametrize("blob_settings", ["local"], indirect=True)
def test_the_local_store_keeps_the_variants_own_extension_whatever_the_link_asks(
    app: Flask, client: FlaskClient, web: FlaskClient, tokens: Tokens
) -> None:
    asset_id = cleared_asset(client, tokens)
    signed_in(web, "viewer")
    url = web.get(f"/assets/{asset_id}/variants/{PRESET}/download").headers["Location"]
    parts = urlsplit(url)
    query = parts.query.split("&download=")[0] + "&download=" + quote('evil".html\r\nX: y')
    response: Any = web.get(f"{parts.path}?{query}", buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="evil.jpg"'
