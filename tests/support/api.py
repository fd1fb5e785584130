"""Calls to the API through Flask's test client: upload, describe, clear, fetch a variant."""

from __future__ import annotations

import io
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import requests
from flask import Flask
from flask.testing import FlaskClient

from tests.support import photos
from tests.support.people import no_recognisable_people
from tests.support.rights import CC_BY


def upload(
    client: FlaskClient,
    headers: dict[str, str],
    data: bytes,
    filename: str = "photo.jpg",
    **fields: Any,
) -> Any:
    """POST a file to /api/v1/assets as a multipart form, with any further form fields."""
    form = {"file": (io.BytesIO(data), filename), **fields}
    return client.post(
        "/api/v1/assets", data=form, headers=headers, content_type="multipart/form-data"
    )


def basket(client: FlaskClient, tokens: dict[str, dict[str, str]], **fields: Any) -> dict[str, Any]:
    """The British Museum's basket, uploaded and described; its rights not cleared."""
    defaults = {
        "title": "Somali wedding basket",
        "object_number": "Af1935,0711.1",
        "alt_text": "A woven basket with a conical lid, decorated with leather straps.",
        "tags": "MuseumWeek",
    }
    response = upload(
        client, tokens["contributor"], photos.jpeg_with_rights(), **{**defaults, **fields}
    )
    assert response.status_code == 201, response.json
    return dict(response.json)


def clear(
    client: FlaskClient, tokens: dict[str, dict[str, str]], asset_id: int, **extra: Any
) -> Any:
    """Clear an asset's rights under CC BY for the web and social media, and (once they are)
    say that the photograph shows no recognisable people, as the rights desk would: a
    photograph nobody has looked at for people is refused on social media."""
    body = {"status": "cleared", "licence_uri": CC_BY, "channels": ["web", "social"], **extra}
    answer = client.put(f"/api/v1/assets/{asset_id}/rights", json=body, headers=tokens["rights"])
    if answer.status_code == 200:
        no_recognisable_people(client.application, asset_id)
    return answer


def cleared_asset(
    client: FlaskClient, tokens: dict[str, dict[str, str]], *, width: int = 2400, **fields: Any
) -> int:
    """A ``width`` x 1800 photograph (another width: another asset), described and cleared:
    its audit passes."""
    response = upload(
        client,
        tokens["contributor"],
        photos.jpeg_with_rights(width=width, height=1800, orientation=1),
        title="Somali wedding basket",
        object_number="Af1935,0711.1",
        alt_text="A woven basket with a conical lid.",
        tags="MuseumWeek",
        **fields,
    )
    assert response.status_code == 201, response.json
    asset_id = int(response.json["id"])
    assert clear(client, tokens, asset_id).status_code == 200
    return asset_id


def fetch(app: Flask, client: FlaskClient, url: str) -> bytes:
    """Follow a signed URL the way a publisher would: over HTTP for S3, the app for local."""
    if app.config["BLOB_BACKEND"] == "s3":
        with urllib.request.urlopen(url, timeout=10) as response:
            return bytes(response.read())
    response = client.get(url.removeprefix("http://localhost"), buffered=True)
    assert response.status_code == 200, response.data[:200]
    return bytes(response.data)


def get(app: Flask, client: FlaskClient, url: str, **kwargs: Any) -> tuple[int, bytes, str]:
    """(status, body, Location) of a URL: the app's own through the test client, any other
    (an S3 presigned URL) over HTTP as a publisher would fetch it."""
    parts = urlsplit(url)
    if parts.netloc in ("", "localhost"):
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        response = client.get(path, buffered=True, **kwargs)
        return response.status_code, response.data, response.headers.get("Location", "")
    answer = requests.get(url, timeout=10, allow_redirects=False)
    return answer.status_code, answer.content, answer.headers.get("Location", "")


def fetch_variant(
    app: Flask, client: FlaskClient, asset_id: int, preset: str, headers: dict[str, str], **q: str
) -> tuple[str, bytes]:
    """Ask for a variant and follow its signed URL: (the URL, the bytes it serves)."""
    response = client.get(
        f"/api/v1/assets/{asset_id}/variants/{preset}", query_string=q, headers=headers
    )
    assert response.status_code == 200, response.json
    url = response.json["url"]
    status, body, _ = get(app, client, url)
    assert status == 200
    return url, body
